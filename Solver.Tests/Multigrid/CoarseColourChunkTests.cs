using Dcdm.Multigrid;
using Dcdm.Solvers;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// A coarse colour of 2,048 rows or more relaxes in parallel chunks that start at blocks: on levels of a few thousand
/// rows a colour (the networks' deep levels, where that begins) and on lines of blocks whose pieces crowd a split, the
/// chunks cover the colour without a gap or a shared row, no same-colour coupling leaves a chunk, and the sweep is the
/// serial one bit for bit.
/// </summary>
public sealed class CoarseColourChunkTests
{
    const double Scale = 0.5;
    const int ParallelRows = 2048;

    static IEnumerable<TestCaseData> Hierarchies() =>
        // sizes whose second (grids) or first (operators, above their cells) coarse level holds 2,000-8,000 rows a colour
        new[] { "carved", "tunnels", "chambers", "baffles", "rocks", "two-phase", "cut-cell-rock" }.Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    // the levels as coarsened: a narrow level's factor would end the carved rock's and the tunnels' hierarchies at the
    // first or second level (AggregateHierarchy.NarrowFactor), before the sizes these sweeps begin at
    static AggregateLevel[] LevelsOf(string family) => AggregateMultigridTests.WithoutNarrowFactor(() => Coarsened(family));

    static AggregateLevel[] Coarsened(string family)
    {
        if (!CoefficientDomains.Families.Contains(family))
        {
            var grid = PoissonDomains.Named(family, 72, 64, 76, 5);
            return new AggregateHierarchy(grid.Nx, grid.Ny, grid.Nz, grid.Diagonal, Scale).Levels;
        }
        var op = CoefficientDomains.Named(family, 37, 43, 41, 5);
        var unknowns = ReducedSystem.FromOperator(op);
        return AggregateHierarchy.AboveCells(op, unknowns.DiagonalOf(op), unknowns.Unknowns, Scale)!.Levels;
    }

    [TestCaseSource(nameof(Hierarchies))]
    public void ALevelOfAFewThousandRowsAColourSweepsInWholeBlocksAsTheSerialSweepDoes(string family)
    {
        var levels = LevelsOf(family).Where(l => Math.Max(l.FirstOdd, l.Rows - l.FirstOdd) is >= ParallelRows and < 4 * ParallelRows).ToArray();
        Assert.That(levels, Is.Not.Empty, "a level where the parallel colours begin");
        foreach (var level in levels) AssertChunksHoldWholeBlocksAndTheSweepIsSerial(level, parallel: true);
    }

    static IEnumerable<TestCaseData> Lines()
    {
        // a line of blocks, colour-major, each block's pieces a chain: a bound inside a block would split a chain
        yield return new TestCaseData(Enumerable.Repeat(1, 4098).ToArray(), true).SetArgDisplayNames("2,049 one-row blocks a colour");
        yield return new TestCaseData(Enumerable.Repeat(1, 600).Append(1500).Concat(Enumerable.Repeat(1, 600)).ToArray(), true).SetArgDisplayNames("1,500 pieces across the even split");
        yield return new TestCaseData(new[] { 2100, 1 }, false).SetArgDisplayNames("one block holds the colour");
        yield return new TestCaseData(Enumerable.Repeat(1, 1200).Append(1900).ToArray(), false).SetArgDisplayNames("the last block holds most");
        yield return new TestCaseData(Enumerable.Range(0, 1400).Select(b => 1 + b % 7).ToArray(), true).SetArgDisplayNames("blocks of 1-7 pieces");
    }

    [TestCaseSource(nameof(Lines))]
    public void ALineOfBlocksSweepsInWholeBlocksAsTheSerialSweepDoes(int[] pieces, bool parallel) =>
        AssertChunksHoldWholeBlocksAndTheSweepIsSerial(Line(pieces), parallel);

    /// <summary>Blocks in a row along x, block b of pieces[b] rows (even blocks' rows first), its pieces coupled in a
    /// chain and its first piece to its neighbour blocks' first pieces.</summary>
    static AggregateLevel Line(int[] pieces)
    {
        int blocks = pieces.Length;
        var firstRow = new int[blocks];
        int row = 0;
        for (int colour = 0; colour < 2; colour++)
            for (int b = colour; b < blocks; b += 2) { firstRow[b] = row; row += pieces[b]; }
        int rows = row, firstOdd = blocks > 1 ? firstRow[1] : rows;
        var rowStart = new int[rows + 1];
        var columns = new List<int>();
        var values = new List<double>();
        var blockOf = new int[rows];
        for (int b = 0; b < blocks; b++) for (int p = 0; p < pieces[b]; p++) blockOf[firstRow[b] + p] = b;
        for (int i = 0; i < rows; i++)
        {
            int b = blockOf[i], p = i - firstRow[b];
            if (p > 0) { columns.Add(i - 1); values.Add(-0.1); }
            if (p < pieces[b] - 1) { columns.Add(i + 1); values.Add(-0.1); }
            if (p == 0 && b > 0) { columns.Add(firstRow[b - 1]); values.Add(-0.2); }
            if (p == 0 && b < blocks - 1) { columns.Add(firstRow[b + 1]); values.Add(-0.2); }
            rowStart[i + 1] = columns.Count;
        }
        return new AggregateLevel(firstOdd, rowStart, [.. columns], [.. values], [.. Enumerable.Repeat(1.0, rows)], (blocks, 1, 1),
            firstRow, pieces);
    }

    static void AssertChunksHoldWholeBlocksAndTheSweepIsSerial(AggregateLevel level, bool parallel)
    {
        Assert.That(level.ColourChunks.Any(c => c.Length > 2), Is.EqualTo(parallel), $"{level.Rows} rows: a colour in parallel chunks");
        var blockStarts = Enumerable.Range(0, level.BlockRows.Length).Where(b => level.BlockRows[b] > 0).Select(b => level.BlockFirstRow[b]).ToHashSet();
        var chunkOf = new int[level.Rows];
        for (int colour = 0; colour < 2; colour++)
        {
            int from = colour == 0 ? 0 : level.FirstOdd, to = colour == 0 ? level.FirstOdd : level.Rows;
            var bounds = level.ColourChunks[colour];
            Assert.That(bounds[0], Is.EqualTo(from), $"colour {colour}: the first chunk starts the colour");
            Assert.That(bounds[^1], Is.EqualTo(to), $"colour {colour}: the last chunk ends it");
            Assert.That(bounds.Zip(bounds.Skip(1), (a, b) => b > a || from == to), Is.All.True, $"colour {colour}: no empty chunk, none overlapping the next");
            foreach (int row in bounds[..^1].Where(r => r < to))
                Assert.That(blockStarts, Does.Contain(row), $"colour {colour}: a chunk starts inside a block at row {row}");
            for (int c = 0; c + 1 < bounds.Length; c++) for (int i = bounds[c]; i < bounds[c + 1]; i++) chunkOf[i] = 2 * c + colour;
        }
        // what makes the chunks' order immaterial: a row reads no row of its colour that another chunk writes
        for (int i = 0; i < level.Rows; i++)
            for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++)
            {
                int j = level.Columns[k];
                if (i < level.FirstOdd == j < level.FirstOdd)
                    Assert.That(chunkOf[j], Is.EqualTo(chunkOf[i]), $"row {i} reads row {j} of its colour in another chunk");
            }
        AssertSweepIsTheSerialOne(level, seed: 6);
    }

    /// <summary>Both colours' sweeps from a random x against a plain loop over each colour's rows, bit for bit.</summary>
    internal static void AssertSweepIsTheSerialOne(AggregateLevel level, int seed)
    {
        var rng = new Random(seed);
        var b = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var serial = (double[])x.Clone();
        for (int colour = 0; colour < 2; colour++)
        {
            level.GaussSeidelColour(b, x, colour);
            for (int i = colour == 0 ? 0 : level.FirstOdd, end = colour == 0 ? level.FirstOdd : level.Rows; i < end; i++)
            {
                double sum = b[i];
                for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++) sum -= level.Values[k] * serial[level.Columns[k]];
                serial[i] = sum * level.InverseDiagonal[i];
            }
            Assert.That(x, Is.EqualTo(serial), $"colour {colour}");
        }
    }
}
