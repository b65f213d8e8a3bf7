using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

public class AggregateMultigridTests
{
    const double Scale = 0.5;

    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.RandomObstacles(7, 6, 5, 0.25, 4)).SetArgDisplayNames("obstacles 7x6x5");
        yield return new TestCaseData(PoissonDomains.Baffles(11, 9, 10, 2)).SetArgDisplayNames("baffles 11x9x10");
        yield return new TestCaseData(PoissonDomains.Slits(9, 7, 12, 1)).SetArgDisplayNames("slits 9x7x12");
        yield return new TestCaseData(PoissonDomains.ClosedBox(6, 5, 4)).SetArgDisplayNames("closed box (singular)");
        // at least 32 cells along x (16 blocks' occupancies at a time), runs of four full blocks, full blocks among full
        // ones (rows written straight into place), and an odd width's last cells
        yield return new TestCaseData(PoissonDomains.ClosedBox(36, 6, 6)).SetArgDisplayNames("closed box 36x6x6");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(37, 7, 6, 0.7, seed: 3)).SetArgDisplayNames("tank 37x7x6");
        // grids one cell thick along each axis: blocks of four cells, plain among four such neighbours, written straight into place
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(21, 1, 17, 0.6, seed: 2)).SetArgDisplayNames("tank 21x1x17, flat along y");
        yield return new TestCaseData(Flat(PoissonDomains.RandomObstacles(19, 16, 2, 0.1, 3), 2)).SetArgDisplayNames("obstacles 19x16x1, flat along z");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(1, 18, 15, 0.7, seed: 4)).SetArgDisplayNames("tank 1x18x15, flat along x");
    }

    /// <summary>The grid's first plane (z = 0), as a grid one cell high.</summary>
    static PoissonGrid Flat(PoissonGrid grid, int _) =>
        new(grid.Nx, grid.Ny, 1, grid.CellArray.ToArray()[..(grid.Nx * grid.Ny)]);

    [Test]
    public void AFlatGridsFirstLevelIsTheGalerkinOperatorAndKeepsNoPlainBlocks()
    {
        // rows written straight into place on a grid one cell thick (four couplings each), the level still s P^T A P;
        // the next level's groups of plain rows want six neighbours, so the level keeps no plain blocks
        var grid = PoissonDomains.FreeSurfaceTank(30, 1, 26, 0.8, seed: 5);
        var level = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out var parent);
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows));
        Assert.That(level.PlainBlocks, Is.Null);
        // a row of four couplings lists them as any row meets them, axis by axis, the lower side first: -x, +x, -z, +z
        // (the sums that read the rows then take the same order, so the same bits, whichever path wrote the row)
        var (bx, bz) = (level.Blocks.X, level.Blocks.Z);
        int fourCouplings = 0;
        for (int z = 1; z < bz - 1; z++)
            for (int x = 1; x < bx - 1; x++)
            {
                int b = x + bx * z, row = level.BlockFirstRow[b];
                if (level.BlockRows[b] != 1 || level.RowStart[row + 1] - level.RowStart[row] != 4) continue;
                int[] want = [level.BlockFirstRow[b - 1], level.BlockFirstRow[b + 1], level.BlockFirstRow[b - bx], level.BlockFirstRow[b + bx]];
                Assert.That(level.Columns[level.RowStart[row]..level.RowStart[row + 1]], Is.EqualTo(want), $"block ({x}, {z})");
                fourCouplings++;
            }
        Assert.That(fourCouplings, Is.GreaterThan(level.Rows / 3), "interior rows of four couplings");
        var next = Aggregation.Coarsen(level, Scale, out var up)!;
        AssertSameMatrix(next.Dense(), Galerkin(level.Dense(), up, next.Rows));
    }

    static double[,] Dense(PoissonGrid grid)
    {
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        var d = new double[a.Rows, a.Rows];
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) d[i, a.ColumnIndices[k]] = a.Values[k];
        return d;
    }

    /// <summary>s P^T A P for P_i,a = p(i) (null: 1, the piecewise-constant P) on a parent map, written out as sums.</summary>
    static double[,] Galerkin(double[,] a, int[] parent, int rows, Func<int, double>? p = null)
    {
        p ??= _ => 1;
        var c = new double[rows, rows];
        for (int i = 0; i < parent.Length; i++)
            for (int j = 0; j < parent.Length; j++)
                if (parent[i] >= 0 && parent[j] >= 0) c[parent[i], parent[j]] += Scale * p(i) * a[i, j] * p(j);
        return c;
    }

    static void AssertSameMatrix(double[,] got, double[,] want)
    {
        Assert.That(got.GetLength(0), Is.EqualTo(want.GetLength(0)));
        for (int i = 0; i < want.GetLength(0); i++)
            for (int j = 0; j < want.GetLength(1); j++)
                Assert.That(got[i, j], Is.EqualTo(want[i, j]).Within(1e-12), $"entry ({i}, {j})");
    }

    /// <summary>
    /// Rows of one colour couple only where they are pieces of one block (<paramref name="ofOneBlock"/>: a bottleneck or a
    /// weak coupling kept them apart), which a sweep relaxes in order on one thread; else never: each colour's
    /// Gauss-Seidel is a parallel Jacobi step over its blocks.
    /// </summary>
    static void AssertColoursDecouple(AggregateLevel level, bool ofOneBlock = false)
    {
        var block = new int[level.Rows];
        for (int b = 0; b < level.BlockRows.Length; b++)
            for (int r = 0; r < level.BlockRows[b]; r++) block[level.BlockFirstRow[b] + r] = b;
        for (int i = 0; i < level.Rows; i++)
            for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++)
            {
                int j = level.Columns[k];
                if (ofOneBlock && block[i] == block[j]) continue;
                Assert.That(i < level.FirstOdd, Is.Not.EqualTo(j < level.FirstOdd), $"rows {i} and {j} share a colour");
            }
    }

    [TestCaseSource(nameof(Grids))]
    public void TheFirstLevelIsTheGalerkinOperatorOfItsAggregates(PoissonGrid grid)
    {
        var diagonal = CellDiagonal.Of(grid);
        var level = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out var parent);
        Assert.That(parent.Select((a, i) => a >= 0 == diagonal[i] > 0), Is.All.True, "every unknown, and only unknowns, in an aggregate");
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows));
        AssertColoursDecouple(level);
    }

    [TestCaseSource(nameof(Grids))]
    public void AShapedFirstLevelIsTheGalerkinOperatorOfItsShapedProlongation(PoissonGrid grid)
    {
        // P_i,a = shape_i for each unknown i of aggregate a: s P^T A P written out as sums
        // a random third of the cells shaped: faces between two shaped cells, shaped cells at the grid's edges, cursors that miss
        var diagonal = CellDiagonal.Of(grid);
        var rng = new Random(4);
        var shape = Enumerable.Range(0, grid.CellCount).Select(_ => rng.NextDouble() < 0.3 ? (float)(0.5 + rng.NextDouble()) : 1f).ToArray();
        var level = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out var parent, ProlongationShape.FromCells(shape));
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows, i => shape[i]));
        // every cell shaped at 1 (the deltas run and add nothing) is the piecewise-constant P, value for value; no block is
        // plain then, so every row is the general one: the rows written straight into place (six couplings, or four on a
        // grid one cell thick) list the same columns in the same order
        var all = new ProlongationShape([.. Enumerable.Range(0, grid.CellCount)], Enumerable.Repeat(1f, grid.CellCount).ToArray());
        var ones = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out _, all);
        var plain = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out _);
        Assert.That(ones.Values, Is.EqualTo(plain.Values));
        Assert.That(ones.Diagonal, Is.EqualTo(plain.Diagonal));
        Assert.That(ones.RowStart, Is.EqualTo(plain.RowStart));
        Assert.That(ones.Columns, Is.EqualTo(plain.Columns));
    }

    [TestCaseSource(nameof(Grids))]
    public void AShapeOfOneWeightIsTheSameGalerkinOperatorAsTheCellByCellSums(PoissonGrid grid)
    {
        // one weight on a random third of the cells, the surface's kind of shape: the rows take it as they are assembled
        // (faces with no, one or two shaped cells, to neighbours of one piece and of several), the cell-by-cell sums
        // (a second weight on one cell) afterwards; both are s P^T A P
        var diagonal = CellDiagonal.Of(grid);
        var rng = new Random(8);
        var weights = Enumerable.Range(0, grid.CellCount).Select(_ => rng.NextDouble() < 0.3 ? 1.4f : 1f).ToArray();
        var uniform = ProlongationShape.FromCells(weights);
        Assert.That(uniform.Uniform, Is.EqualTo(1.4f));
        var level = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out var parent, uniform);
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows, i => weights[i]));
        int other = Array.FindIndex(weights, w => w == 1f);
        weights[other] = 1.2f; // no longer one weight: the cell-by-cell path
        var mixed = ProlongationShape.FromCells(weights);
        Assert.That(mixed.Uniform, Is.Null);
        var cellByCell = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out _, mixed);
        AssertSameMatrix(cellByCell.Dense(), Galerkin(Dense(grid), parent, level.Rows, i => weights[i]));
    }

    [Test]
    public void AShapeAtTheSurfaceGivesTheTripleProductAndTransfersThatScaleItsCellsOnly()
    {
        // the surface shape of a tank: a few cells shaped, faces between two shaped cells included
        var grid = PoissonDomains.FreeSurfaceTank(12, 10, 9, 0.6, seed: 3);
        var shape = ProlongationShape.AtTheSurface(grid, 1.4)!;
        Assert.That(shape.Cells.Length, Is.InRange(1, grid.FluidCount / 2));
        var diagonal = CellDiagonal.Of(grid);
        var level = Aggregation.FirstLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, Scale, out var blocks, shape);
        var parent = blocks.ParentMap();
        var p = Enumerable.Range(0, grid.CellCount).Select(shape.Of).ToArray();
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows, i => p[i]));

        // restriction: coarse_a = sum p_i r_i; prolongation: x_i += p_i coarse_a (plain loops over every cell)
        var fine = new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, 1, [], transfers: false);
        var rng = new Random(6);
        for (int i = 0; i < grid.CellCount; i++) (fine.Work[i], fine.X[i]) = ((float)(rng.NextDouble() - 0.5), (float)(rng.NextDouble() - 0.5));
        var restricted = new double[level.Rows];
        AggregateMultigrid.RestrictFine(fine, blocks, shape, blocks.RowsOf(shape.Cells), restricted);
        var expected = new double[level.Rows];
        for (int i = 0; i < parent.Length; i++) if (parent[i] >= 0) expected[parent[i]] += p[i] * fine.Work[i];
        Assert.That(restricted, Is.EqualTo(expected).Within(1e-6));
        var x0 = (float[])fine.X.Clone();
        var coarse = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        AggregateMultigrid.ProlongFine(coarse, blocks, shape, blocks.RowsOf(shape.Cells), fine);
        for (int i = 0; i < parent.Length; i++)
            Assert.That(fine.X[i], Is.EqualTo(parent[i] >= 0 ? x0[i] + p[i] * coarse[parent[i]] : x0[i]).Within(1e-5), $"cell {i}");
        Assert.That(ProlongationShape.AtTheSurface(PoissonDomains.ClosedBox(6, 6, 6), 1.4), Is.Null, "no air, no shape");
    }

    [TestCase("tank")]
    [TestCase("pockets")]
    public void TheDefaultCycleShapesPNextToAirAndTakesFewerIterations(string family)
    {
        var grid = PoissonDomains.Named(family, 32, 32, 32, 7);
        var b = RightHandSides.VelocityDivergence(grid, 7);
        var options = new SolverOptions { Tolerance = 1e-8 };
        var shaped = new ConjugateGradient(grid, null, "pcg-mg", options, unknowns => new AggregateMultigrid(grid, unknowns)).Solve(b, new double[b.Length], SolveSettings.None);
        var plain = new ConjugateGradient(grid, null, "pcg-mg", options, unknowns => new AggregateMultigrid(grid, unknowns.Active, 2, Scale,
            AggregateMultigrid.DefaultRelaxation, fineWeights: null, fineShape: null)).Solve(b, new double[b.Length], SolveSettings.None);
        Assert.That(shaped.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(plain.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(shaped.Iterations, Is.LessThanOrEqualTo(plain.Iterations), "P's entries next to air are " + AggregateMultigrid.SurfaceProlongation);
        // and the residual after the same four iterations is smaller: the default is not the piecewise-constant P
        var four = new SolverOptions { Tolerance = 1e-14, MaxIterations = 4 };
        var shapedFour = new ConjugateGradient(grid, null, "pcg-mg", four, unknowns => new AggregateMultigrid(grid, unknowns)).Solve(b, new double[b.Length], SolveSettings.None);
        var plainFour = new ConjugateGradient(grid, null, "pcg-mg", four, unknowns => new AggregateMultigrid(grid, unknowns.Active, 2, Scale,
            AggregateMultigrid.DefaultRelaxation, fineWeights: null, fineShape: null)).Solve(b, new double[b.Length], SolveSettings.None);
        Assert.That(shapedFour.RelativeResidual, Is.LessThan(plainFour.RelativeResidual));
    }

    [Test]
    public void ADeeperLevelIsTheGalerkinOperatorOfTheLevelBelow()
    {
        var grid = PoissonDomains.Baffles(16, 14, 12, 3);
        var first = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _);
        var second = Aggregation.Coarsen(first, Scale, out var parent);
        Assert.That(second, Is.Not.Null);
        Assert.That(second!.Rows, Is.LessThan(first.Rows / 4));
        AssertSameMatrix(second.Dense(), Galerkin(first.Dense(), parent, second.Rows));
        AssertColoursDecouple(second, ofOneBlock: true);
        var third = Aggregation.Coarsen(second, Scale, out var parent3);
        AssertSameMatrix(third!.Dense(), Galerkin(second.Dense(), parent3, third!.Rows));
    }

    [Test]
    public void PlainRowsAndGroupsOfThemAreTheGalerkinOperatorToo()
    {
        // a grid's interior: full blocks among full ones are written straight into place, and groups of eight such rows
        // among groups of one piece are summed without reading their rows; a few obstacles and the walls break them up
        var grid = PoissonDomains.RandomObstacles(26, 24, 22, 0.03, 5);
        var level = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out var parent);
        AssertSameMatrix(level.Dense(), Galerkin(Dense(grid), parent, level.Rows));
        for (int depth = 1; depth <= 2; depth++)
        {
            Assert.That(level.PlainBlocks!.Count(p => p), Is.InRange(1, level.Rows - 1), $"level {depth}: plain rows and others");
            var next = Aggregation.Coarsen(level, Scale, out var up)!;
            AssertSameMatrix(next.Dense(), Galerkin(level.Dense(), up, next.Rows));
            AssertColoursDecouple(next);
            level = next;
        }
    }

    /// <summary>
    /// Groups of eight full blocks next to walls, obstacles and the air (full but not plain: a neighbour outside the group
    /// is not full) are judged one piece from their diagonals alone; the next level is the one judged row by row bit for
    /// bit, with P's entry next to air and without. With a coupling under 0.9 of its rows' strongest a bottleneck and every
    /// split standing (a contact share of 2), a group holding a shaped cell (its faces 1.4 or 1.96 times the others)
    /// splits row by row, and would not where it were taken unread: shaped blocks are not full.
    /// </summary>
    [TestCase("obstacles", true, false)]
    [TestCase("tank", true, false)]
    [TestCase("tank", true, true)]
    [TestCase("columns", false, false)]
    [TestCase("columns", true, true)]
    [TestCase("chambers", true, false)]
    public void GroupsOfFullBlocksAreJudgedAsRowByRow(string family, bool surfaceShape, bool splitEveryBottleneck)
    {
        var grid = PoissonDomains.Named(family, 38, 28, 26, 4); // 38 cells along x: blocks found 16 at a time and one by one
        var shape = surfaceShape ? ProlongationShape.AtTheSurface(grid, AggregateMultigrid.SurfaceProlongation) : null;
        var level = Aggregation.FirstLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _, shape);
        Assert.That(level.FullBlocks!.Count(f => f), Is.GreaterThan(level.PlainBlocks!.Count(p => p)), "full blocks that are not plain");
        Assert.That(level.PlainBlocks!.Select((p, b) => !p || level.FullBlocks![b]), Is.All.True, "every plain block is full");
        var (contact, bottleneck) = (Aggregation.SplitContact, Aggregation.BottleneckShare);
        try
        {
            if (splitEveryBottleneck) (Aggregation.SplitContact, Aggregation.BottleneckShare) = (2, 0.9);
            var judged = Aggregation.Coarsen(level, Scale, out var toJudged)!;
            level.ForgetPlainBlocks();
            Assert.That(level.FullBlocks, Is.Null);
            var rowByRow = Aggregation.Coarsen(level, Scale, out var toRowByRow)!;
            Assert.That(toJudged, Is.EqualTo(toRowByRow));
            Assert.That(judged.RowStart, Is.EqualTo(rowByRow.RowStart));
            Assert.That(judged.Columns, Is.EqualTo(rowByRow.Columns));
            Assert.That(judged.Values, Is.EqualTo(rowByRow.Values));
            Assert.That(judged.Diagonal, Is.EqualTo(rowByRow.Diagonal));
        }
        finally { (Aggregation.SplitContact, Aggregation.BottleneckShare) = (contact, bottleneck); }
    }

    /// <summary>A Fiedler share above a full group's least Fiedler value (1/3, eight cells of six faces each) judges every
    /// group row by row: the interior's groups, cut at 0.34 and not at 0.3, are not taken as one piece unread.</summary>
    [Test]
    public void AFiedlerShareAboveAFullGroupsLeastValueJudgesRowByRow()
    {
        var grid = PoissonDomains.Named("columns", 30, 28, 26, 4);
        var level = Aggregation.FirstLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _);
        double loose = Aggregation.LooseRows;
        try
        {
            Aggregation.LooseRows = 0.3;
            int below = Aggregation.Coarsen(level, Scale, out _)!.Rows;
            Aggregation.LooseRows = 0.34;
            var judged = Aggregation.Coarsen(level, Scale, out var toJudged)!;
            level.ForgetPlainBlocks();
            var rowByRow = Aggregation.Coarsen(level, Scale, out var toRowByRow)!;
            Assert.That(toJudged, Is.EqualTo(toRowByRow));
            Assert.That(judged.Rows, Is.GreaterThan(below), "groups cut between the shares");
        }
        finally { Aggregation.LooseRows = loose; }
    }

    /// <summary>A closed plate one cell thick, at an odd x (inside a block) and at an even one: no level couples its two sides.</summary>
    [TestCase(5)]
    [TestCase(6)]
    public void NoLevelCouplesTheTwoSidesOfAPlateOneCellThick(int plate)
    {
        int nx = 16, ny = 8, nz = 8;
        var cells = new CellType[nx * ny * nz];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                    cells[x + nx * (y + ny * z)] = z == nz - 1 ? CellType.Air : x == plate ? CellType.Solid : CellType.Fluid;
        var grid = new PoissonGrid(nx, ny, nz, cells);
        var level = Aggregation.FromGrid(nx, ny, nz, CellDiagonal.Of(grid), Scale, out var parent);
        // side of each row: -1 left of the plate, +1 right (an aggregate mixing both would be 0)
        var side = new int[level.Rows];
        for (int i = 0; i < parent.Length; i++)
            if (parent[i] >= 0 && i / nx / ny < nz - 1)
            {
                int s = i % nx < plate ? -1 : 1;
                Assert.That(side[parent[i]], Is.EqualTo(0).Or.EqualTo(s), $"an aggregate on both sides of the plate (cell {i})");
                side[parent[i]] = s;
            }
        while (true)
        {
            for (int i = 0; i < level.Rows; i++)
                for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++)
                    if (level.Values[k] != 0) Assert.That(side[level.Columns[k]], Is.EqualTo(side[i]), $"rows {i} and {level.Columns[k]} couple across the plate");
            if (Aggregation.Coarsen(level, Scale, out var up) is not { } next) break;
            var nextSide = new int[next.Rows];
            for (int i = 0; i < level.Rows; i++)
            {
                Assert.That(nextSide[up[i]], Is.EqualTo(0).Or.EqualTo(side[i]), "a coarse aggregate on both sides");
                nextSide[up[i]] = side[i];
            }
            (level, side) = (next, nextSide);
        }
    }

    [Test]
    public void ABlockWhoseCellsTouchOnlyAlongAnEdgeIsTwoAggregates()
    {
        // a 2x2x1 block with fluid at (0,0) and (1,1) only: the same block, two pieces
        var cells = new CellType[2 * 2 * 2];
        Array.Fill(cells, CellType.Solid);
        cells[0] = cells[3] = CellType.Fluid;
        cells[4] = cells[7] = CellType.Air;
        var grid = new PoissonGrid(2, 2, 2, cells);
        var level = Aggregation.FromGrid(2, 2, 2, CellDiagonal.Of(grid), Scale, out var parent);
        Assert.That(level.Rows, Is.EqualTo(2));
        Assert.That(parent[0], Is.Not.EqualTo(parent[3]));
    }

    [Test]
    public void TheCoarsestFactorSolvesASingularConsistentSystem()
    {
        // a closed box's coarse operator: constants in its null space; b with zero sum is in its range
        var grid = PoissonDomains.ClosedBox(6, 6, 6);
        var level = Aggregation.FromGrid(6, 6, 6, CellDiagonal.Of(grid), Scale, out _);
        var a = level.Dense();
        int n = level.Rows;
        var rng = new Random(3);
        var b = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double mean = b.Average();
        for (int i = 0; i < n; i++) b[i] -= mean;
        var x = new double[n];
        SemidefiniteCholesky.Factor(level)!.Solve(b, x);
        for (int i = 0; i < n; i++)
        {
            double ax = 0;
            for (int j = 0; j < n; j++) ax += a[i, j] * x[j];
            Assert.That(ax, Is.EqualTo(b[i]).Within(1e-10), $"row {i}");
        }
    }

    /// <summary>A first level with P shaped next to air: its diagonal changes after the piecewise-constant level is made.</summary>
    static AggregateLevel ShapedBafflesLevel()
    {
        var grid = PoissonDomains.Baffles(12, 10, 10, 5);
        return Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _, ProlongationShape.AtTheSurface(grid, 1.4));
    }

    [Test]
    public void ALevelsProductAndResidualAreTheDenseMatrixs()
    {
        var level = ShapedBafflesLevel();
        var a = level.Dense();
        var rng = new Random(4);
        var x = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var b = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] ax = new double[level.Rows], r = new double[level.Rows];
        level.Multiply(x, ax);
        level.Residual(b, x, r);
        for (int i = 0; i < level.Rows; i++)
        {
            double want = 0;
            for (int j = 0; j < level.Rows; j++) want += a[i, j] * x[j];
            Assert.That(ax[i], Is.EqualTo(want).Within(1e-12), $"(A x)_{i}");
            Assert.That(r[i], Is.EqualTo(b[i] - want).Within(1e-12), $"r_{i}");
        }
        Assert.Throws<ArgumentException>(() => level.Multiply(x, new double[level.Rows - 1]), "a vector one short");
        Assert.Throws<ArgumentException>(() => level.GaussSeidelColour(b[1..], x, 0), "a vector one short");
    }

    [Test]
    public void AColourSweepIsAJacobiStepOnThatColour()
    {
        var level = ShapedBafflesLevel();
        var a = level.Dense();
        var rng = new Random(1);
        var b = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble()).ToArray();
        var x = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble()).ToArray();
        for (int colour = 0; colour < 2; colour++)
        {
            var before = (double[])x.Clone();
            level.GaussSeidelColour(b, x, colour);
            for (int i = 0; i < level.Rows; i++)
            {
                bool mine = i < level.FirstOdd == (colour == 0);
                double want = before[i];
                if (mine)
                {
                    double s = b[i];
                    for (int j = 0; j < level.Rows; j++) if (j != i) s -= a[i, j] * before[j];
                    want = s / a[i, i];
                }
                Assert.That(x[i], Is.EqualTo(want).Within(1e-12), $"row {i}, colour {colour}");
            }
        }
    }

    /// <summary>pcg-mg from the catalog, from x = 0: converged, and the true residual (recomputed here) within the tolerance.</summary>
    internal static SolveResult ConvergedByPcgMg(PoissonGrid grid, double[] b, double tolerance)
    {
        var solver = new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, new SolverOptions { Tolerance = tolerance });
        var x = new double[grid.CellCount];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(tolerance * 1.01));
        return result;
    }

    static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();

    [TestCaseSource(nameof(Grids))]
    public void TheCycleIsPositiveAndAllocatesNothing(PoissonGrid grid)
    {
        var unknowns = ReducedSystem.FromGrid(grid);
        var m = new AggregateMultigrid(grid, unknowns);
        Assert.That(m.CoarseRows, Is.Ordered.Descending, "each level smaller than the one below");
        Assert.That(((Dcdm.Preconditioners.IPreconditioner)m).Varies, "a K-cycle: CG must run its flexible form");
        int n = unknowns.Unknowns;
        var rng = new Random(2);
        var r = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] z1 = new double[n], z2 = new double[n];
        m.Apply(r, z1);
        Assert.That(AllocatedBytes.Fewest(() => m.Apply(r, z2)), Is.LessThan(32 * 1024), "the loops' closures only, whatever the size");
        Assert.That(z2, Is.EqualTo(z1), "no state carried from one cycle to the next");
        Assert.That(Dot(r, z1), Is.GreaterThan(0));
    }

    static IEnumerable<TestCaseData> ThinFeatures()
    {
        foreach (var family in new[] { "baffles", "slits", "porous", "columns", "pockets", "tunnels" })
            yield return new TestCaseData(family).SetArgDisplayNames(family);
    }

    /// <summary>Iterations at most 10 and flat in size (16^3 and 32^3 here; docs/benchmarks.md has 32^3 to 128^3).</summary>
    [TestCaseSource(nameof(ThinFeatures))]
    public void PcgMgTakesAtMostTenIterationsWhateverTheSize(string family)
    {
        var counts = new List<int>();
        foreach (int n in new[] { 16, 32 })
        {
            var grid = PoissonDomains.Named(family, n, n, n, 1);
            counts.Add(ConvergedByPcgMg(grid, RightHandSides.VelocityDivergence(grid, 1), 1e-6).Iterations);
        }
        Assert.That(counts, Is.All.LessThanOrEqualTo(10), string.Join(", ", counts));
        Assert.That(counts[1], Is.LessThanOrEqualTo(counts[0] + 2), string.Join(", ", counts));
    }

    /// <summary>1,728 droplets of two cells in air: pieces never merge, so coarsening stalls far above <see cref="AggregateMultigrid.CoarsestRows"/>.
    /// In solid (sealed), every droplet is a singular component.</summary>
    internal static PoissonGrid Droplets(CellType around = CellType.Air)
    {
        int n = 36;
        var cells = new CellType[n * n * n];
        Array.Fill(cells, around);
        for (int z = 0; z < n; z += 3)
            for (int y = 0; y < n; y += 3)
                for (int x = 0; x < n; x += 3)
                {
                    cells[x + n * (y + n * z)] = CellType.Fluid;
                    cells[x + 1 + n * (y + n * z)] = CellType.Fluid;
                }
        return new PoissonGrid(n, n, n, cells);
    }

    [Test]
    public void DropletsThatNeverMergeLeaveALargeCoarsestLevelThatIsFactored()
    {
        // the stalled level is diagonal: its factor holds no entry off the diagonal, whatever its size
        // (droplets alone are a narrow domain, factored whole: here their levels, as beside a pool, and on a device)
        var grid = Droplets();
        WithLevels(() =>
        {
            var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
            Assert.That(m.CoarseRows[^1], Is.GreaterThan(4 * AggregateMultigrid.CoarsestRows));
            Assert.That(m.CoarsestFactored);
            Assert.That(ConvergedByPcgMg(grid, RightHandSides.Random(grid, 4), 1e-8).Iterations, Is.LessThanOrEqualTo(3));
        });
    }

    /// <summary>What <paramref name="make"/> makes with the narrow levels' factor off (<see cref="AggregateHierarchy.NarrowFactor"/>):
    /// the levels as coarsened, down to the usual coarsest size or a stall's or collapse's factor.</summary>
    internal static T WithoutNarrowFactor<T>(Func<T> make)
    {
        double saved = AggregateHierarchy.NarrowCouplings;
        AggregateHierarchy.NarrowCouplings = 0;
        try { return make(); }
        finally { AggregateHierarchy.NarrowCouplings = saved; }
    }

    internal static void WithoutNarrowFactor(Action test) => WithoutNarrowFactor(() => { test(); return true; });

    static AggregateHierarchy HierarchyOf(PoissonGrid grid) => new(grid.Nx, grid.Ny, grid.Nz, grid.Diagonal, Scale);

    /// <summary>Runs <paramref name="test"/> with narrow domains coarsened into levels as any other (the levels a device's
    /// cycle runs), not factored whole (<see cref="NarrowDomain"/>).</summary>
    internal static void WithLevels(Action test)
    {
        int saved = NarrowDomain.EntriesPerRow;
        NarrowDomain.EntriesPerRow = 0;
        try { test(); }
        finally { NarrowDomain.EntriesPerRow = saved; }
    }

    [Test]
    public void ACoarsestLevelBeyondTheFactorsBudgetIsRelaxed()
    {
        var grid = Droplets();
        long saved = SemidefiniteCholesky.EntryLimit;
        SemidefiniteCholesky.EntryLimit = -1; // no level fits, nor is any factored as narrow (a diagonal level fills nothing)
        try
        {
            WithoutNarrowFactor(() => WithLevels(() =>
            {
                var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
                Assert.That(m.CoarsestFactored, Is.False);
                Assert.That(ConvergedByPcgMg(grid, RightHandSides.Random(grid, 4), 1e-8).Iterations, Is.LessThanOrEqualTo(3));
            }));
        }
        finally { SemidefiniteCholesky.EntryLimit = saved; }
    }

    [Test]
    public void AStalledLevelBeyondTheEnvelopesBudgetIsStillFactoredWhereItIsNarrow()
    {
        // droplets that never merge stall at their first level (pieces coupled at most to the droplet's other piece); with
        // no envelope allowed, its factor in a minimum-degree order (an entry per droplet split) solves it, where the
        // envelope's rule alone would relax it
        var grid = Droplets();
        long saved = SemidefiniteCholesky.EntryLimit;
        SemidefiniteCholesky.EntryLimit = -1;
        try
        {
            WithLevels(() =>
            {
                var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
                Assert.That(m.CoarsestFactored);
                Assert.That(m.Describe(), Does.Match(@"^\d+ rows; the coarsest by its factor, \d+ entries in a minimum-degree order"));
                Assert.That(ConvergedByPcgMg(grid, RightHandSides.Random(grid, 4), 1e-8).Iterations, Is.LessThanOrEqualTo(3));
            });
        }
        finally { SemidefiniteCholesky.EntryLimit = saved; }
    }

    [Test]
    public void TheLevelsBelowTheFactoredNarrowLevelAreDroppedWithTheirParents()
    {
        // the carved rock's levels as coarsened, then with the narrow rule capped at its second level's rows (a level of
        // exactly the cap is tried): the second is factored, the levels below it and their parent maps dropped, the
        // levels and maps above it those of the coarsening, and the factor that of the last level kept
        var grid = PoissonDomains.Named("carved", 48, 48, 48, 5);
        var coarsened = WithoutNarrowFactor(() => HierarchyOf(grid));
        int rows = AggregateHierarchy.NarrowRows;
        AggregateHierarchy.NarrowRows = coarsened.Levels[1].Rows;
        AggregateHierarchy h;
        try { h = HierarchyOf(grid); }
        finally { AggregateHierarchy.NarrowRows = rows; }
        Assert.That(coarsened.Levels, Has.Length.GreaterThan(3));
        Assert.That(h.Levels.Select(l => l.Rows), Is.EqualTo(coarsened.Levels.Take(2).Select(l => l.Rows)));
        Assert.That(h.Parents, Has.Length.EqualTo(1), "one map: the first level's rows to the second's");
        Assert.That(h.Parents[0], Is.EqualTo(coarsened.Parents[0]));
        Assert.That(h.Coarsest, Is.InstanceOf<MinimumDegreeCholesky>());
        SemidefiniteCholeskyTests.AssertSolvesAConsistentSystem(h.Levels[^1], h.Coarsest!);
    }

    [Test]
    public void NoLevelIsTriedForTheNarrowFactorAboveACoarsestLevelThatIsNotNarrow()
    {
        // the chambers' coarsest level couples each row to about 4.6 others, the levels above it to 3.8-4.4: with a fill
        // budget that a level above would meet, none is factored, since the walk up starts at the coarsest and stops at
        // the first level that declines (so a network that fills declines at a small level, not at its largest)
        var grid = PoissonDomains.Named("chambers", 48, 48, 48, 5);
        var coarsened = WithoutNarrowFactor(() => HierarchyOf(grid));
        double fill = AggregateHierarchy.NarrowFill;
        AggregateHierarchy.NarrowFill = 3;
        AggregateHierarchy h;
        try
        {
            Assert.That(AggregateHierarchy.NarrowFactor(coarsened.Levels[^1]), Is.Null, "the coarsest is not narrow");
            Assert.That(Enumerable.Range(1, coarsened.Levels.Length - 2).Any(c => AggregateHierarchy.NarrowFactor(coarsened.Levels[c]) is not null),
                "a level above it would be factored on its own");
            h = HierarchyOf(grid);
        }
        finally { AggregateHierarchy.NarrowFill = fill; }
        Assert.That(h.Levels.Select(l => l.Rows), Is.EqualTo(coarsened.Levels.Select(l => l.Rows)));
        Assert.That(h.Coarsest, Is.InstanceOf<SemidefiniteCholesky>());
    }

    [Test]
    public void AVoxelOperatorsCellsAreNotFactoredThoughTheyAreNarrow()
    {
        // a passage one cell across as a per-face operator: its cells form a chain the narrow rule would factor whole,
        // but they are the device's first level (relaxed there, as CSR rows): the level above them is factored instead
        var op = VoxelOperator.FromGrid(PoissonDomains.Channel(24, 24, 24, 1, offset: 1));
        var h = new AggregateHierarchy(op, Scale);
        Assert.That(h.Levels[0].Rows, Is.EqualTo(CellLevel.DiagonalOf(op).Count(d => d > 0)), "the first level is the cells");
        Assert.That(h.Levels[0].Rows, Is.GreaterThan(AggregateMultigrid.CoarsestRows));
        Assert.That(AggregateHierarchy.NarrowFactor(h.Levels[0]), Is.Not.Null, "the cells alone would fit");
        Assert.That(h.Levels, Has.Length.EqualTo(2));
        Assert.That(h.Coarsest, Is.InstanceOf<MinimumDegreeCholesky>());
    }

    [Test]
    public void ALongChannelIsFactoredWhereTheNextLevelWouldCollapseIt()
    {
        // a passage one cell across, 25,000 cells long at 48^3: the deepest blocks hold whole stretches of it, which one
        // more level would merge into a handful of rows (the narrow-level rule, which factors such a chain before, is off)
        var grid = PoissonDomains.Channel(48, 48, 48, 1, offset: 1);
        WithoutNarrowFactor(() => WithLevels(() =>
        {
            var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
            var rows = m.CoarseRows;
            Assert.That(m.CoarsestFactored);
            Assert.That(rows, Has.Count.GreaterThan(1), "coarsened before the collapse");
            for (int c = 1; c < rows.Count; c++)
                Assert.That(rows[c] * AggregateHierarchy.Collapse, Is.GreaterThanOrEqualTo(rows[c - 1]), string.Join(", ", rows));
            Assert.That(rows[^1], Is.GreaterThan(AggregateMultigrid.CoarsestRows), "stopped before the collapse, not at the usual size");
        }));
    }

    [TestCase(1, 1)]
    [TestCase(2, 1)]
    public void AChannelsChainOfPiecesIsSolvedByItsFactorInsteadOfCoarsened(int width, int chainLevel)
    {
        // a passage one cell across: the first level's pieces already form a chain (2 couplings a row); two across, a
        // ladder (4 a row), which fills little in a minimum-degree order. Either is factored, not halved level after level.
        // (on the CPU such a channel is factored whole, NarrowDomain; these are its levels on a device)
        var grid = PoissonDomains.Channel(48, 48, 48, width, offset: 1);
        WithLevels(() =>
        {
            var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
            var rows = m.CoarseRows;
            Assert.That(m.CoarsestFactored);
            Assert.That(rows, Has.Count.EqualTo(chainLevel), string.Join(", ", rows));
            Assert.That(rows[^1], Is.GreaterThan(4 * AggregateMultigrid.CoarsestRows), "far above the usual coarsest size: " + string.Join(", ", rows));
            Assert.That(ConvergedByPcgMg(grid, RightHandSides.VelocityDivergence(grid, 1), 1e-6).Iterations, Is.LessThanOrEqualTo(5));
        });
    }

    /// <summary>
    /// Plates one cell thick every third layer, each with one 2x2 hole at odd x and y (so split among four of the first
    /// level's blocks), air on top: a stack of chambers two cells tall joined through one small hole each.
    /// </summary>
    internal static PoissonGrid PlateStack(int n)
    {
        var cells = new CellType[n * n * n];
        Array.Fill(cells, CellType.Fluid);
        var random = new Random(7);
        for (int z = 2; z < n - 2; z += 3)
        {
            int hx = random.Next(0, n / 2 - 2) * 2 + 1, hy = random.Next(0, n / 2 - 2) * 2 + 1;
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    if (!(x >= hx && x < hx + 2 && y >= hy && y < hy + 2)) cells[x + n * (y + n * z)] = CellType.Solid;
        }
        for (int i = n * n * (n - 1); i < cells.Length; i++) cells[i] = CellType.Air;
        return new PoissonGrid(n, n, n, cells);
    }

    [Test]
    public void AStackOfChambersIsNotJoinedThroughTheHolesOfItsPlates()
    {
        // a coarse row over two chambers holds one value where the error jumps at the plate; split at the holes (the
        // bottlenecks), 32^3 takes 6 iterations, where joined through them it takes 8 (7 and 10 before the second
        // level, 895 rows, was factored in a minimum-degree order). A piece over two chambers is also loose (its
        // Fiedler value under the share), so the Fiedler test alone splits it too.
        var grid = PlateStack(32);
        var b = RightHandSides.VelocityDivergence(grid, 1);
        int split = ConvergedByPcgMg(grid, b, 1e-6).Iterations;
        Assert.That(split, Is.LessThanOrEqualTo(7));
        var (bottleneck, loose) = (Aggregation.BottleneckShare, Aggregation.LooseRows);
        try
        {
            Aggregation.BottleneckShare = 0;
            Assert.That(ConvergedByPcgMg(grid, b, 1e-6).Iterations, Is.LessThanOrEqualTo(7), "split by the Fiedler test alone");
            Aggregation.LooseRows = 0;
            Assert.That(ConvergedByPcgMg(grid, b, 1e-6).Iterations, Is.GreaterThanOrEqualTo(split + 2), "the stack is hard without the splits");
        }
        finally { (Aggregation.BottleneckShare, Aggregation.LooseRows) = (bottleneck, loose); }
    }

    [Test]
    public void ASmallStacksCoarseLevelHoldsPiecesOfOneBlockCoupledAtAHole()
    {
        // what the device's K-cycle test relies on (16^3): a split leaves two rows of one block coupled by the hole's faces
        var grid = PlateStack(16);
        var levels = new AggregateHierarchy(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale).Levels;
        Assert.That(levels.Skip(1).Any(CouplesPiecesOfOneBlock), Is.True, string.Join(", ", levels.Select(l => l.Rows)));
        foreach (var level in levels.Skip(1)) AssertColoursDecouple(level, ofOneBlock: true);
    }

    static bool CouplesPiecesOfOneBlock(AggregateLevel level)
    {
        for (int b = 0; b < level.BlockRows.Length; b++)
            for (int i = level.BlockFirstRow[b]; i < level.BlockFirstRow[b] + level.BlockRows[b]; i++)
                for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++)
                    if (level.Columns[k] != i && level.Columns[k] >= level.BlockFirstRow[b] && level.Columns[k] < level.BlockFirstRow[b] + level.BlockRows[b]) return true;
        return false;
    }

    /// <summary>
    /// Cells as rows (<see cref="Aggregation.FromOperator"/>), 2x2x2 along y and z: in the group at x = 0-1 x-pairs coupled
    /// by 1 and to each other by 0.07 (strong, but bottlenecks whose parts touch 0.28 across against 1 inside, so the
    /// group splits into 4 pairs); with <paramref name="loose"/>, a second group at x = 2-3 whose cells couple by 0.01
    /// (weak: 8 rows of their own), no face between the groups.
    /// </summary>
    static AggregateLevel PairsLevel(bool loose)
    {
        var op = PairsOperator(loose);
        return Aggregation.FromOperator(op, CellLevel.DiagonalOf(op), out _);
    }

    static VoxelOperator PairsOperator(bool loose)
    {
        int nx = loose ? 4 : 2, n = nx * 4;
        var (fx, fy, fz, d) = (new double[n], new double[n], new double[n], new double[n]);
        for (int z = 0; z < 2; z++)
            for (int y = 0; y < 2; y++)
                for (int x = 0; x < nx; x++)
                {
                    int i = x + nx * (y + 2 * z);
                    double w = x < 2 ? 0.07 : 0.01;
                    d[i] = x < 2 ? 0.01 : 1;
                    if (x == 0) fx[i] = 1;
                    if (x == 2) fx[i] = 0.01;
                    if (y == 0) fy[i] = w;
                    if (z == 0) fz[i] = w;
                }
        return new VoxelOperator(nx, 2, 2, fx, fy, fz, d);
    }

    [Test]
    public void ALevelThatSplitsTooOftenToCoarsenIsCoarsenedWithoutSplits()
    {
        // alone, the group splits into its 4 pairs (8 rows to 4); beside 8 loose rows, 16 would go to 12, not 1.5x fewer,
        // so the level is coarsened as without splits (16 to 9) instead of not at all
        Assert.That(Aggregation.Coarsen(PairsLevel(loose: false), Scale, out _)!.Rows, Is.EqualTo(4));
        Assert.That(Aggregation.Coarsen(PairsLevel(loose: false), Scale, out _, splitBottlenecks: false)!.Rows, Is.EqualTo(1));
        var level = PairsLevel(loose: true);
        var split = Aggregation.Coarsen(level, Scale, out var parent);
        var whole = Aggregation.Coarsen(level, Scale, out var wholeParent, splitBottlenecks: false)!;
        Assert.That(split, Is.Not.Null);
        Assert.That(split!.Rows, Is.EqualTo(9));
        Assert.That(parent, Is.EqualTo(wholeParent));
        AssertSameMatrix(split.Dense(), whole.Dense());
    }

    [Test]
    public void AChannelsLadderIsNotCutAtItsRails()
    {
        // two cells across at an odd offset: each first-level row is a quarter of the cross-section, coupled to its
        // neighbours across by twice what it couples along, so every rail is a bottleneck; but a slice touches the next
        // as much as half its inside, and the level coarsens as without the splits (a split at every rail: about half as much)
        var grid = PoissonDomains.Channel(32, 32, 32, 2, offset: 1);
        var first = Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _);
        int Rows(double share, double contact)
        {
            var (savedShare, savedContact) = (Aggregation.BottleneckShare, Aggregation.SplitContact);
            (Aggregation.BottleneckShare, Aggregation.SplitContact) = (share, contact);
            try { return Aggregation.Coarsen(first, Scale, out _)!.Rows; }
            finally { (Aggregation.BottleneckShare, Aggregation.SplitContact) = (savedShare, savedContact); }
        }
        int whole = Rows(0, Aggregation.SplitContact);
        Assert.That(Rows(Aggregation.BottleneckShare, Aggregation.SplitContact), Is.EqualTo(whole));
        Assert.That(Rows(Aggregation.BottleneckShare, 1), Is.GreaterThan(3 * whole / 2), "cut where every split stood");
    }

    [Test]
    public void PcgMgAndDcdmNameTheLevelsInTheirDetails()
    {
        // each coarse level's rows and how the coarsest is solved, as the hierarchy holds them
        var grid = PoissonDomains.Channel(48, 48, 48, 2, offset: 1);
        var b = RightHandSides.VelocityDivergence(grid, 1);
        var catalog = new SolverCatalog();
        WithLevels(() =>
        {
            var rows = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid)).CoarseRows;
            foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
            {
                using var solver = (IDisposable)catalog.CreateForGrid(method, grid, null, Dcdm.Models.ShippedModels.Default());
                var result = ((ILinearSolver)solver).Solve(b, new double[grid.CellCount]);
                Assert.That(result.Details["levels"], Does.StartWith(string.Join(", ", rows) + " rows; the coarsest by its factor, "), method.ToString());
            }
            Assert.That(rows, Has.Count.EqualTo(1), "the ladder factored");
        });
        // factored whole: no level, and the details say so
        foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
        {
            using var solver = (IDisposable)catalog.CreateForGrid(method, grid, null, Dcdm.Models.ShippedModels.Default());
            var result = ((ILinearSolver)solver).Solve(b, new double[grid.CellCount]);
            Assert.That(result.Details["levels"], Does.StartWith("none; the unknowns by their factor (a narrow domain), "), method.ToString());
        }
    }

    [Test]
    public void ANarrowLevelsFactorIsWithinItsBudgetAndA3DLevelIsNotTried()
    {
        var chain = new AggregateHierarchy(48, 48, 48, PoissonDomains.Channel(48, 48, 48, 1, offset: 1).Diagonal, 0.5).Levels[0];
        var factor = AggregateHierarchy.NarrowFactor(chain);
        Assert.That(factor, Is.Not.Null);
        Assert.That(factor!.Entries, Is.LessThanOrEqualTo(AggregateHierarchy.NarrowFill * chain.RowStart[chain.Rows]));
        // the first level of plates with windows couples each row to about five: coarsened as before, down to the usual size
        var baffles = PoissonDomains.Baffles(48, 48, 48, 7);
        var levels = new AggregateHierarchy(48, 48, 48, baffles.Diagonal, 0.5).Levels;
        Assert.That(AggregateHierarchy.NarrowFactor(levels[0]), Is.Null);
        Assert.That(levels[^1].Rows, Is.LessThanOrEqualTo(AggregateMultigrid.CoarsestRows));
    }

    [Test]
    public void PcgMgOnALongChannelTakesAsFewIterationsAtEverySize()
    {
        // 64^3: a path of 13,000 cells; merging its deepest stretches into one row took 8 iterations here, growing with size
        var counts = new List<int>();
        foreach (int n in new[] { 32, 64 })
        {
            var grid = PoissonDomains.Channel(n, n, n, 2, offset: 1);
            counts.Add(ConvergedByPcgMg(grid, RightHandSides.VelocityDivergence(grid, 1), 1e-6).Iterations);
        }
        Assert.That(counts, Is.All.LessThanOrEqualTo(6), string.Join(", ", counts));
        Assert.That(counts[1], Is.LessThanOrEqualTo(counts[0]), string.Join(", ", counts));
    }

    [Test]
    public void DcdmOnALongChannelTakesAsFewIterationsAtEverySize()
    {
        // the default model's cycle is this hierarchy's: 5 and 9 iterations before the collapse rule
        var counts = new List<int>();
        foreach (int n in new[] { 32, 64 })
        {
            var grid = PoissonDomains.Channel(n, n, n, 2, offset: 1);
            var b = RightHandSides.VelocityDivergence(grid, 1);
            var x = new double[grid.CellCount];
            var result = new SolverCatalog().CreateForGrid(SolveMethod.Dcdm, grid, new SolverOptions { Tolerance = 1e-6 }, Dcdm.Models.ShippedModels.Default()).Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1.01e-6));
            counts.Add(result.Iterations);
        }
        Assert.That(counts, Is.All.LessThanOrEqualTo(6), string.Join(", ", counts));
        Assert.That(counts[1], Is.LessThanOrEqualTo(counts[0]), string.Join(", ", counts));
    }

    [Test]
    public void ASprayOfHundredsOfDropletsInOneCoarseBlockKeepsEveryPiece()
    {
        // a pool that coarsens well and, above it, a checkerboard of 256 one-cell droplets filling one 8^3 block: on the
        // third level that block is one group of 256 pieces (more than a byte counts), reached because the pool shrinks
        int n = 64;
        var cells = new CellType[n * n * n];
        for (int z = 0; z < n; z++)
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++)
                    cells[x + n * (y + n * z)] = z < 44 ? CellType.Fluid
                        : z >= 48 && z < 56 && x < 8 && y < 8 && (x + y + z) % 2 == 0 ? CellType.Fluid : CellType.Air;
        var grid = new PoissonGrid(n, n, n, cells);
        var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
        Assert.That(m.CoarseRows.Count, Is.GreaterThanOrEqualTo(3), string.Join(", ", m.CoarseRows));
        Assert.That(m.CoarseRows[2], Is.GreaterThan(256), "every droplet its own aggregate on the third level, beside the pool's");
        Assert.That(ConvergedByPcgMg(grid, RightHandSides.Random(grid, 5), 1e-8).Iterations, Is.LessThanOrEqualTo(12));
    }

    [TestCase(1e-42)]
    [TestCase(1e40)]
    public void ARightHandSideBeyondFloatRangeStillConverges(double factor)
    {
        // the fine level runs in float32: r enters scaled to its largest entry, so b's own size never matters
        var grid = PoissonDomains.FreeSurfaceTank(24, 24, 24, 0.6, 3);
        var b = RightHandSides.VelocityDivergence(grid, 2).Select(v => v * factor).ToArray();
        Assert.That(ConvergedByPcgMg(grid, b, 1e-8).Iterations, Is.LessThanOrEqualTo(12));
    }

    [Test]
    public void TheParallelPathsGiveTheSameCycleTwiceAndAllocateLittle()
    {
        // 64^3: the fine transfers and the first coarse level's kernels run in parallel (above 65,536 cells and 2,048 rows a colour)
        var grid = PoissonDomains.Baffles(64, 64, 64, 6);
        var unknowns = ReducedSystem.FromGrid(grid);
        var m = new AggregateMultigrid(grid, unknowns);
        Assert.That(m.CoarseRows[0], Is.GreaterThan(1 << 14), "the first coarse level is large enough to run in parallel");
        var rng = new Random(8);
        var r = Enumerable.Range(0, unknowns.Unknowns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double[] z1 = new double[r.Length], z2 = new double[r.Length];
        m.Apply(r, z1);
        long allocated = AllocatedBytes.Fewest(() => m.Apply(r, z2));
        Assert.That(z2, Is.EqualTo(z1), "no race: every parallel loop writes rows no other thread writes");
        // Parallel.For's bookkeeping, about a kilobyte a loop: 43 KB measured while colours ran in parallel from 8,192 rows,
        // 178 KB from 2,048 (the levels below the first run in parallel too)
        Assert.That(allocated, Is.LessThan(256 * 1024), "the parallel loops' bookkeeping only, nothing per unknown");
        Assert.That(Dot(r, z1), Is.GreaterThan(0));
    }
}
