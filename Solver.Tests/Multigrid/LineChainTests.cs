using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// A coarse level's chains through split blocks and the judge across the lines, on levels small enough to state by hand
/// (the plain sweep in LineRelaxationTests restates the rule, and meets no tie, no zero coupling between one-row blocks
/// and no empty block).
/// </summary>
public class LineChainTests
{
    /// <summary>A level of one row of blocks along z (blocks 1 x 1 x rows.Length), block k holding rows[k] rows, every
    /// diagonal 20 and the couplings given (each i &lt; j once, stored both ways as -c).</summary>
    static AggregateLevel Column(int[] rows, params (int I, int J, double C)[] couplings)
    {
        int n = rows.Sum();
        var first = new int[rows.Length];
        for (int k = 1; k < rows.Length; k++) first[k] = first[k - 1] + rows[k - 1];
        var entries = Enumerable.Range(0, n).Select(_ => new List<(int Column, double Value)>()).ToArray();
        foreach (var (i, j, c) in couplings) { entries[i].Add((j, -c)); entries[j].Add((i, -c)); }
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + entries[i].Count;
        var ordered = entries.SelectMany(e => e.OrderBy(t => t.Column)).ToArray();
        return new AggregateLevel(n, rowStart, [.. ordered.Select(t => t.Column)], [.. ordered.Select(t => t.Value)], [.. Enumerable.Repeat(20.0, n)],
            (1, 1, rows.Length), first, rows);
    }

    static List<int[]> Chains(LevelLines lines) =>
        [.. Enumerable.Range(0, lines.Segments.Length - 1).Select(s => lines.Order[lines.Segments[s]..lines.Segments[s + 1]])];

    /// <summary>
    /// One line of six blocks: two pieces (rows 0, 1), two pieces (2, 3), one row (4), one row (5), an empty block, one
    /// row (6). Between the first two blocks 0-2 is the strongest coupling (5), then 1-2 (4), then 0-3 (1): 0 takes 2,
    /// so 1 and 3 stay unlinked (weakest first would link 0-3 and 1-2). Rows 2 and 3 couple to 4 equally: the first row
    /// takes it. Rows 4 and 5 share no coupling but are one-row blocks: linked all the same. The empty block ends the
    /// chain. The chains in the order of their first rows.
    /// </summary>
    [Test]
    public void ALinesRowsChainStrongestPairsFirstOneRowBlocksAlwaysAndTiesToTheFirstRow()
    {
        var level = Column([2, 2, 1, 1, 0, 1], (0, 1, 0.5), (2, 3, 0.5), (0, 2, 5), (1, 2, 4), (0, 3, 1), (2, 4, 2), (3, 4, 2));
        var lines = new LevelLines(level, 2);
        var chains = Chains(lines);
        Assert.That(lines.Order.Order(), Is.EqualTo(Enumerable.Range(0, level.Rows)), "every row once");
        Assert.That(chains, Is.EqualTo(new[] { new[] { 0, 2, 4, 5 }, [1], [3], [6] }),
            "chains: " + string.Join(" ", chains.Select(c => "[" + string.Join(",", c) + "]")));
        // each chain solved exactly: after a forward sweep from x = 0 every row of the one line has its equation hold
        // for its chain's couplings, those to the rows solved before it read at their new values
        var b = new double[] { 1, -2, 3, -4, 5, -6, 7 };
        var x = new double[level.Rows];
        lines.SweepForward(b, x);
        var dense = level.Dense();
        foreach (var chain in chains)
            foreach (int i in chain)
            {
                int at = chains.IndexOf(chain);
                double r = b[i] - Enumerable.Range(0, level.Rows)
                    .Where(j => chain.Contains(j) || chains.Take(at).Any(c => c.Contains(j))).Sum(j => dense[i, j] * x[j]);
                Assert.That(r, Is.EqualTo(0).Within(1e-12), $"row {i}'s equation after its chain's solve");
            }
    }

    /// <summary>A row's couplings to the other pieces of its own block are across the lines (only those to the blocks
    /// before and after it along the axis are along): the judge is 3x them (the diagonal 20 is above), and 0 for a row
    /// coupled only along.</summary>
    [Test]
    public void APiecesCouplingsWithinItsBlockAreAcrossTheLines()
    {
        var level = Column([2, 2, 1], (0, 1, 0.5), (2, 3, 1.5), (0, 2, 5), (1, 3, 4), (2, 4, 2), (3, 4, 2));
        Assert.That(LineAxis.DiagonalUpToFlat(level, 2), Is.EqualTo(new[] { 1.5, 1.5, 4.5, 4.5, 0 }));
    }

    /// <summary>Both judges across the lines, along each axis (x too), on a 4 x 3 x 5 grid of random faces and
    /// Dirichlet terms, against sums by hand: the diagonal, at most 3x the four faces across.</summary>
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void BothJudgesAcrossTheLinesAreTheHandSumsAlongEachAxis(int axis)
    {
        int nx = 4, ny = 3, nz = 5, cells = nx * ny * nz;
        var rng = new Random(axis + 11);
        int[] C(int i) => [i % nx, i / nx % ny, i / (nx * ny)];
        int[] extent = [nx, ny, nz], stride = [1, nx, nx * ny];
        // faces along the axis 16x those across, a few of them 1/16: some cells flat, some not
        double[] Faces(int a) => [.. Enumerable.Range(0, cells).Select(i => C(i)[a] + 1 < extent[a]
            ? (a == axis ? (rng.Next(4) == 0 ? 1.0 / 16 : 16) : 1) * (0.5 + rng.NextDouble()) : 0)];
        double[][] faces = [Faces(0), Faces(1), Faces(2)];
        var d = Enumerable.Range(0, cells).Select(_ => rng.Next(3) == 0 ? rng.NextDouble() : 0).ToArray();
        var op = new VoxelOperator(nx, ny, nz, faces[0], faces[1], faces[2], d);
        var diagonal = CellLevel.DiagonalOf(op);
        var level = Aggregation.FromOperator(op, diagonal, out var cellRow);
        var (fromFaces, fromRows) = (LineAxis.DiagonalUpToFlat(op, diagonal, axis), LineAxis.DiagonalUpToFlat(level, axis));
        int flat = 0;
        for (int i = 0; i < cells; i++)
        {
            double across = 0;
            foreach (int a in Enumerable.Range(0, 3).Where(a => a != axis))
                across += faces[a][i] + (C(i)[a] > 0 ? faces[a][i - stride[a]] : 0);
            double want = Math.Min(diagonal[i], 3 * across);
            if (want < diagonal[i]) flat++;
            Assert.That(fromFaces[i], Is.EqualTo(want).Within(1e-12 * want), $"cell {i}, lines along {"xyz"[axis]}, from the faces");
            Assert.That(fromRows[cellRow[i]], Is.EqualTo(want).Within(1e-12 * want), $"cell {i}, lines along {"xyz"[axis]}, from the rows");
        }
        Assert.That(flat, Is.InRange(1, cells - 1), "some cells capped, some keeping their diagonal");
    }
}
