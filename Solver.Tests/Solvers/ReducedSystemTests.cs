using Dcdm.Sparse;

namespace Dcdm.Tests.Solvers;

public class ReducedSystemTests
{
    /// <summary>
    /// Random graph Laplacians on interleaved vertex sets (components whose rows are scattered, so the
    /// union-find links roots across the whole range), plus a shifted block and an isolated vertex: the
    /// components and the singular ones against a plain breadth-first search.
    /// </summary>
    [TestCase(12)] // one thread
    [TestCase(52)] // more unknowns than VectorOps.ParallelThreshold: parallel chunks
    public void RestrictAndProlongArePlainLoopsOverTheUnknowns(int n)
    {
        var system = ReducedSystem.FromGrid(PoissonDomains.RandomObstacles(n, n, n, 0.2, seed: 5));
        var active = system.Active!;
        Assert.That(active.Length < system.FullSize, "some rows are not unknowns");
        var rng = new Random(n);
        var full = Enumerable.Range(0, system.FullSize).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var reduced = new double[system.Unknowns];
        system.Restrict(full, reduced);
        Assert.That(reduced, Is.EqualTo(active.Select(i => full[i])));
        var back = Enumerable.Repeat(double.NaN, system.FullSize).ToArray();
        system.Prolong(reduced, back);
        var want = new double[system.FullSize];
        foreach (int i in active) want[i] = full[i];
        Assert.That(back, Is.EqualTo(want), "the unknowns' entries, 0 elsewhere");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void ComponentsAndSingularComponentsMatchABreadthFirstSearch(int seed)
    {
        var rng = new Random(seed);
        int n = 300;
        var group = Enumerable.Range(0, n).Select(_ => rng.Next(5)).ToArray(); // 5 interleaved vertex sets
        group[17] = 9; // isolated: its own component, a 1x1 block with a positive diagonal
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        var degree = new double[n];
        for (int e = 0; e < 500; e++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            if (i == j || group[i] != group[j] || group[i] == 9) continue;
            rows.Add(i); cols.Add(j); vals.Add(-1); rows.Add(j); cols.Add(i); vals.Add(-1);
            degree[i]++; degree[j]++;
        }
        for (int i = 0; i < n; i++)
        {
            // sets 0..3 are Laplacians (singular where connected); set 4 is shifted (definite)
            double shift = group[i] == 4 || group[i] == 9 ? 1 : 0;
            rows.Add(i); cols.Add(i); vals.Add(degree[i] + shift);
        }
        var a = CsrMatrix.FromCoordinates(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var system = new ReducedSystem(a);

        // the reference: breadth-first search in row order over the unknowns (rows with a nonzero: a vertex
        // without edges in a Laplacian set is an empty row), each component singular iff its row sums vanish
        var label = Enumerable.Repeat(-1, n).ToArray();
        var unknown = new int[n];
        for (int i = 0, u = 0; i < n; i++) unknown[i] = a.RowHasNonZero(i) ? u++ : -1;
        var expectedSingular = new List<int[]>();
        int count = 0;
        for (int s = 0; s < n; s++)
        {
            if (label[s] >= 0 || unknown[s] < 0) continue;
            var members = new List<int> { s };
            label[s] = count;
            for (int q = 0; q < members.Count; q++)
                for (int k = a.RowPointers[members[q]]; k < a.RowPointers[members[q] + 1]; k++)
                {
                    int j = a.ColumnIndices[k];
                    if (a.Values[k] != 0 && label[j] < 0) { label[j] = count; members.Add(j); }
                }
            count++;
            bool singular = members.All(i => Math.Abs(Enumerable.Range(a.RowPointers[i], a.RowPointers[i + 1] - a.RowPointers[i]).Sum(k => a.Values[k])) < 1e-12);
            if (singular) expectedSingular.Add(members.Select(i => unknown[i]).Order().ToArray());
        }
        Assert.That(system.ComponentCount, Is.EqualTo(count));
        Assert.That(system.SingularComponents, Is.EqualTo(expectedSingular));
        Assert.That(system.SingularComponents, Has.Count.GreaterThan(1), "the graph has several singular components to tell apart");
    }
    /// <summary>
    /// Random cell flags (solid, fluid, air; isolated fluid cells and closed pockets appear at these densities):
    /// the view built from the grid without a matrix equals the view built from the grid's full-grid matrix.
    /// </summary>
    /// <remarks>The 48x40x36 cases are large enough (over 65,536 cells) for the components to be joined in parallel slabs;
    /// the 96x64x48 one has over 2 x 65,536 unknowns, so the fluid cells, the unknowns, their map and the components'
    /// numbers are made in several parallel chunks, with isolated fluid cells (no unknown) between them.</remarks>
    [TestCase(1, 0.45, 0.05, 9, 8, 7)]
    [TestCase(2, 0.3, 0.0, 9, 8, 7)]
    [TestCase(3, 0.6, 0.1, 9, 8, 7)]
    [TestCase(4, 0.45, 0.02, 48, 40, 36)]
    [TestCase(5, 0.3, 0.0, 48, 40, 36)]
    [TestCase(6, 0.45, 0.02, 96, 64, 48)]
    public void TheViewFromAGridEqualsTheViewFromItsMatrix(int seed, double solid, double air, int nx, int ny, int nz)
    {
        var grid = RandomFlags.Grid(seed, solid, air, nx, ny, nz);
        var fromMatrix = new ReducedSystem(grid.ToCsr(GridMatrixLayout.FullGrid));
        var fromGrid = ReducedSystem.FromGrid(grid);
        if (nx * ny * nz > 150_000)
        {
            Assert.That(fromGrid.Unknowns, Is.GreaterThan(2 * 65_536), "several chunks");
            Assert.That(fromGrid.Unknowns, Is.LessThan(grid.FluidCount), "isolated fluid cells");
        }
        Assert.That(fromGrid.FullSize, Is.EqualTo(fromMatrix.FullSize));
        Assert.That(fromGrid.Active, Is.EqualTo(fromMatrix.Active));
        Assert.That(fromGrid.ComponentCount, Is.EqualTo(fromMatrix.ComponentCount));
        Assert.That(fromGrid.SingularComponents, Is.EqualTo(fromMatrix.SingularComponents));
        Assert.That(fromMatrix.SingularComponents, Is.Not.Empty, "the case has closed pockets");
        Assert.That(fromGrid.NonPositiveDiagonalRow, Is.EqualTo(-1));
        var (a, b) = (fromGrid.Matrix, fromMatrix.Matrix);
        Assert.That(a.RowPointers, Is.EqualTo(b.RowPointers));
        Assert.That(a.ColumnIndices, Is.EqualTo(b.ColumnIndices));
        Assert.That(a.Values, Is.EqualTo(b.Values));

        // the full-layout projection equals the compact one scattered back
        var v = Enumerable.Range(0, grid.CellCount).Select(i => Math.Sin(i)).ToArray();
        var onRows = new double[grid.CellCount];
        var compact = new double[fromMatrix.Unknowns];
        var (p1, n1) = fromGrid.PrepareRightHandSideOnRows(v, onRows);
        var (p2, n2) = fromMatrix.PrepareRightHandSide(v, compact);
        var scattered = new double[grid.CellCount];
        fromMatrix.Prolong(compact, scattered);
        Assert.That(onRows, Is.EqualTo(scattered).Within(1e-12));
        Assert.That(n1, Is.EqualTo(n2).Within(1e-12 * n2)); // relative: the large cases' sums run in parallel chunks
        Assert.That(p1!.SingularComponents, Is.EqualTo(p2!.SingularComponents));
        Assert.That(p1.RemovedNorm, Is.EqualTo(p2.RemovedNorm).Within(1e-12 * p2.OriginalNorm));
        Assert.That(p1.OriginalNorm, Is.EqualTo(p2.OriginalNorm).Within(1e-12 * p2.OriginalNorm));
    }

    [Test]
    public void ABOnTheUnknownsOnlyHasNothingRemoved()
    {
        // large enough for ||b|| to be summed in parallel chunks, whose order differs from a sum over the unknowns
        var grid = PoissonDomains.DamBreak(64, 56, 60, 0.4, 0.8);
        var system = ReducedSystem.FromGrid(grid);
        Assert.That(system.SingularComponents, Is.Empty);
        Assert.That(system.Active, Is.Not.Null);
        var rng = new Random(5);
        var b = new double[grid.CellCount];
        foreach (int i in system.Active!) b[i] = rng.NextDouble() - 0.3;
        Assert.That(system.PrepareRightHandSide(b, new double[system.Unknowns]).projection, Is.Null);
        Assert.That(system.PrepareRightHandSideOnRows(b, new double[grid.CellCount]).projection, Is.Null);
        b[Array.IndexOf(grid.CellArray, CellType.Air)] = 3; // on no unknown: removed, and reported
        Assert.That(system.PrepareRightHandSide(b, new double[system.Unknowns]).projection!.RemovedNorm, Is.EqualTo(3));
        Assert.That(system.PrepareRightHandSideOnRows(b, new double[grid.CellCount]).projection!.RemovedNorm, Is.EqualTo(3));
        // b everywhere: the part off the unknowns as a plain loop sums it
        for (int i = 0; i < b.Length; i++) b[i] = Math.Sin(i);
        var unknown = new bool[grid.CellCount];
        foreach (int i in system.Active) unknown[i] = true;
        double expected = 0;
        for (int i = 0; i < b.Length; i++) if (!unknown[i]) expected += b[i] * b[i];
        Assert.That(system.InactiveNormSquared(b), Is.EqualTo(expected).Within(1e-12 * expected));
    }

    /// <summary>
    /// A voxel operator's view from its faces equals the view from its matrix: random flags (isolated fluid cells and
    /// closed pockets) with random coefficients, a fifth of the faces between fluid cells closed (which splits
    /// components without removing unknowns), with and without the full-grid matrix given; a matrix on the unknowns is
    /// not the full-grid one. Said to be compact (as a file holds it), it is taken as it is, not assembled again; one with
    /// a zero row for a cell without an equation is not the unknowns' and is assembled from the faces; one with more rows
    /// than cells is refused.
    /// </summary>
    [TestCase(1, 9, 8, 7)]
    [TestCase(2, 30, 20, 25)]
    [TestCase(3, 70, 60, 50)] // several chunks of runs and slabs of planes
    public void TheViewFromAnOperatorsFacesEqualsTheViewFromItsMatrix(int seed, int nx, int ny, int nz)
    {
        var unit = VoxelOperator.FromGrid(RandomFlags.Grid(seed, 0.4, 0.02, nx, ny, nz));
        var rng = new Random(seed);
        double[] Scaled(double[] f) => [.. f.Select(c => c > 0 && rng.NextDouble() > 0.2 ? c * (0.01 + 10 * rng.NextDouble()) : 0)];
        var faces = (Scaled(unit.FaceX), Scaled(unit.FaceY), Scaled(unit.FaceZ));
        // a cell all of whose faces were closed keeps a diagonal only through a Dirichlet term: give it one or not at random
        var op = new VoxelOperator(nx, ny, nz, faces.Item1, faces.Item2, faces.Item3, [.. unit.Dirichlet.Select(d => d * rng.NextDouble())]);
        var a = op.ToCsr();
        var fromMatrix = new ReducedSystem(a);
        Assert.That(fromMatrix.SingularComponents, Has.Count.GreaterThan(1), "closed pockets and cut-off cells");
        Assert.That(fromMatrix.Active, Is.Not.Null, "cells without a diagonal");
        foreach (var fromFaces in new[] { ReducedSystem.FromOperator(op), ReducedSystem.FromOperator(op, a) })
        {
            Assert.That(fromFaces.FullSize, Is.EqualTo(fromMatrix.FullSize));
            Assert.That(fromFaces.Active, Is.EqualTo(fromMatrix.Active));
            Assert.That(fromFaces.ComponentCount, Is.EqualTo(fromMatrix.ComponentCount));
            Assert.That(fromFaces.SingularComponents, Is.EqualTo(fromMatrix.SingularComponents));
            Assert.That(fromFaces.NonPositiveDiagonalRow, Is.EqualTo(-1));
            Assert.That(fromFaces.Matrix.RowPointers, Is.EqualTo(fromMatrix.Matrix.RowPointers));
            Assert.That(fromFaces.Matrix.ColumnIndices, Is.EqualTo(fromMatrix.Matrix.ColumnIndices));
            Assert.That(fromFaces.Matrix.Values, Is.EqualTo(fromMatrix.Matrix.Values));
        }
        var onUnknowns = new ReducedSystem(a).Matrix;
        Assert.That(() => ReducedSystem.FromOperator(op, onUnknowns), Throws.TypeOf<InvalidSystemException>().With.Message.Contains("cells"),
            "a matrix on the unknowns is not the full-grid one");
        ReducedSystem Compact(CsrMatrix m) => ReducedSystem.FromOperator(op, new OperatorMatrix(m, OnFluidCells: true));
        Assert.That(Compact(onUnknowns).Matrix, Is.SameAs(onUnknowns), "a compact matrix, not assembled again");
        int[] active = fromMatrix.Active!, padded = [.. active.Append(Enumerable.Range(0, a.Rows).First(i => Array.BinarySearch(active, i) < 0)).Order()];
        var withZeroRow = a.Submatrix(padded);
        Assert.That(withZeroRow.Rows, Is.EqualTo(onUnknowns.Rows + 1));
        var assembled = Compact(withZeroRow).Matrix;
        Assert.That(assembled, Is.Not.SameAs(withZeroRow));
        Assert.That(assembled.Values, Is.EqualTo(fromMatrix.Matrix.Values), "assembled from the faces");
        Assert.That(assembled.ColumnIndices, Is.EqualTo(fromMatrix.Matrix.ColumnIndices));
        var tooLong = CsrMatrix.FromCoordinates(a.Rows + 1, a.Rows + 1, [0], [0], [1.0]);
        Assert.That(() => Compact(tooLong), Throws.TypeOf<InvalidSystemException>().With.Message.Contains("cells"));
    }

    [Test]
    public void AnOperatorWithoutADiagonalIsNothingToSolve()
    {
        var zeros = new double[8];
        Assert.That(() => ReducedSystem.FromOperator(new VoxelOperator(2, 2, 2, zeros, zeros, zeros, zeros)),
            Throws.TypeOf<InvalidSystemException>().With.Message.Contains("nothing to solve"));
    }

    /// <summary>
    /// The runs of unknowns along x, made in parallel chunks of unknowns, against a plain loop over the cells: each run a
    /// stretch of consecutive cells of one grid row, maximal, the rows' runs in x order; cases span several chunks. With
    /// a voxel operator's x faces, a run also ends at a closed face (a fifth of them here).
    /// </summary>
    [TestCase(0.5, 97, 64, 70, false)]
    [TestCase(1.0, 64, 48, 70, false)]
    [TestCase(0.01, 80, 60, 70, false)]
    [TestCase(0.9, 7, 5, 3, false)]
    [TestCase(0.9, 97, 64, 70, true)]
    [TestCase(1.0, 7, 5, 3, true)]
    public void RunsOfUnknownsEqualAPlainLoop(double share, int nx, int ny, int nz, bool closedFaces)
    {
        var rng = new Random(5);
        var cells = Enumerable.Range(0, nx * ny * nz).Where(_ => rng.NextDouble() < share).ToArray();
        double[]? faceX = closedFaces ? [.. Enumerable.Range(0, nx * ny * nz).Select(_ => rng.NextDouble() < 0.2 ? 0 : 0.5)] : null;
        Assert.That(cells.Length / UnknownRuns.Chunk, Is.GreaterThanOrEqualTo(share * nx * ny * nz > 150_000 ? 2 : 0), "several chunks where the case is large");
        var unknown = new HashSet<int>(cells);
        var expectedFirst = new List<int>();
        var expectedRowFirst = new int[ny * nz + 1];
        var spans = new List<(int, int)>();
        for (int q = 0, u = 0; q < ny * nz; q++)
        {
            expectedRowFirst[q] = expectedFirst.Count;
            for (int x = 0; x < nx; x++)
            {
                if (!unknown.Contains(q * nx + x)) continue;
                if (x == 0 || !unknown.Contains(q * nx + x - 1) || faceX?[q * nx + x - 1] == 0) { expectedFirst.Add(u); spans.Add((x, x)); }
                else spans[^1] = (spans[^1].Item1, x);
                u++;
            }
        }
        expectedRowFirst[^1] = expectedFirst.Count;
        expectedFirst.Add(cells.Length);
        var runs = new UnknownRuns(nx, ny, nz, cells, faceX);
        Assert.That(runs.First, Is.EqualTo(expectedFirst));
        Assert.That(runs.RowFirst, Is.EqualTo(expectedRowFirst));
        Assert.That(Enumerable.Range(0, runs.Count).Select(runs.Span), Is.EqualTo(spans));
        for (int u = 0, r = 0; u < cells.Length; u += 97) // the run of a cell, searched forward
        {
            r = runs.RunOf(cells[u], r);
            Assert.That(u, Is.InRange(runs.First[r], runs.First[r + 1] - 1), $"cell {cells[u]}");
        }
    }
}
