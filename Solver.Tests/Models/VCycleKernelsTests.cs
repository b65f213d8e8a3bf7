using CsCheck;
using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Models;

/// <summary>The float32 V-cycle kernels against the double multigrid kernels (LevelOps, themselves checked against formulas).</summary>
public class VCycleKernelsTests
{
    static (MultigridLevel Fine, MultigridLevel Coarse, VCycleLevel FineF, VCycleLevel CoarseF) Levels(PoissonGrid grid)
    {
        var coarseGrid = GeometricGrids.Coarsen(grid);
        var fine = new MultigridLevel(grid, 1);
        var coarse = new MultigridLevel(coarseGrid, 0.25);
        float[][] gaussSeidel = [Enumerable.Repeat(1f, grid.CellCount).ToArray()];
        return (fine, coarse, new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), 1, gaussSeidel),
            new VCycleLevel(coarseGrid.Nx, coarseGrid.Ny, coarseGrid.Nz, CellDiagonal.Of(coarseGrid), 0.25, []));
    }

    static void Fill(double[] d, float[] f, byte[] diagonal, int seed)
    {
        var rng = new Random(seed);
        for (int i = 0; i < d.Length; i++) f[i] = (float)(d[i] = diagonal[i] == 0 ? 0 : rng.NextDouble() - 0.5);
    }

    static IEnumerable<PoissonGrid> Grids() =>
    [
        PoissonDomains.RandomObstacles(23, 17, 13, 0.2, 4), // odd sizes, vector and edge paths
        PoissonDomains.FreeSurfaceTank(40, 36, 34, 0.6, 2), // large enough for the parallel planes
        PoissonDomains.PocketsAndDroplets(16, 16, 16, 3),
        PoissonDomains.DamBreak(30, 21, 24, 0.4, 0.7), // the unknowns' box is a part of the grid
        PoissonDomains.Slits(40, 36, 34, 2), // whole rows of solid inside the box: vectors with no unknown are skipped
        PoissonDomains.FreeSurfaceTank(420, 1, 300, 0.6, 3), // one cell thick along y: every row on the grid's faces, parallel planes
        PoissonDomains.ClosedBox(290, 250, 1), // one cell high: one plane, cut into runs of rows
    ];

    [TestCaseSource(nameof(Grids))]
    public void AConstantWeightSweepsAsAnArrayOfThatWeight(PoissonGrid grid)
    {
        // the aggregate K-cycle's fine sweeps pass their SOR weight as a constant instead of a grid of copies
        var diagonal = CellDiagonal.Of(grid);
        var withArray = new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, 1, [], transfers: false);
        var withConstant = new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, 1, [], transfers: false);
        var weights = diagonal.Select(d => d > 0 ? 1.15f : 0f).ToArray();
        var unused = new double[grid.CellCount];
        Fill(unused, withArray.B, diagonal, 3);
        Fill(unused, withArray.X, diagonal, 4);
        withArray.B.CopyTo(withConstant.B, 0);
        withArray.X.CopyTo(withConstant.X, 0);
        for (int first = 0; first < 2; first++)
        {
            VCycleKernels.Sweep(withArray, first, weights);
            VCycleKernels.Sweep(withConstant, first, null, 1.15f);
        }
        Assert.That(withConstant.X, Is.EqualTo(withArray.X));
        Assert.That(withConstant.X, Is.Not.EqualTo(withConstant.B), "the sweeps did something");
    }

    [TestCaseSource(nameof(Grids))]
    public void ResidualRestrictionAndProlongationMatchTheDoubleKernels(PoissonGrid grid)
    {
        var (fine, coarse, fineF, coarseF) = Levels(grid);
        Fill(fine.B, fineF.B, fine.Diagonal, 1);
        Fill(fine.X, fineF.X, fine.Diagonal, 2);
        LevelOps.Residual(fine);
        VCycleKernels.Residual(fineF);
        Assert.That(fineF.Work, Is.EqualTo(fine.Work.Select(v => (float)v)).Within(1e-5));
        Assert.That(fine.Work.Count(v => v != 0), Is.GreaterThan(grid.FluidCount / 2), "a residual worth comparing");

        LevelOps.Restrict(fine, coarse);
        VCycleKernels.Restrict(fineF, coarseF);
        Assert.That(coarseF.B, Is.EqualTo(coarse.B.Select(v => (float)v)).Within(1e-5));

        Fill(coarse.X, coarseF.X, coarse.Diagonal, 3);
        LevelOps.ProlongAdd(coarse, fine);
        VCycleKernels.ProlongAdd(coarseF, fineF);
        Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-5));
    }

    [Test]
    public void SweepsWithUnitWeightsAreGaussSeidel()
    {
        var grid = PoissonDomains.RandomObstacles(9, 7, 8, 0.2, 5);
        var (fine, _, fineF, _) = Levels(grid);
        Fill(fine.B, fineF.B, fine.Diagonal, 4);
        foreach (int colour in new[] { 0, 1, 1, 0 }) LevelOps.GaussSeidelColour(fine, colour);
        VCycleKernels.Sweep(fineF, 0, fineF.Weights[0]);
        VCycleKernels.Sweep(fineF, 1, fineF.Weights[0]);
        Assert.That(fine.X.Count(v => v != 0), Is.GreaterThan(grid.CellCount / 3));
        Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-5));
    }

    static IEnumerable<TestCaseData> SweepGrids() =>
    [
        new TestCaseData(PoissonDomains.Spheres(13, 11, 9, 3, 2), 0).SetName("one slab, red first"),
        new TestCaseData(PoissonDomains.Spheres(50, 44, 41, 3, 2), 1).SetName("a slab per core, black first"),
        new TestCaseData(PoissonDomains.DamBreak(70, 52, 45, 0.5, 0.9), 0).SetName("slabs over the unknowns' box only"),
        new TestCaseData(PoissonDomains.Slits(48, 40, 44, 2), 1).SetName("vectors without an unknown inside the box"),
        new TestCaseData(SolidRows(), 0).SetName("solid rows after rows whose last cell is an unknown"),
        new TestCaseData(PoissonDomains.FreeSurfaceTank(420, 1, 300, 0.6, 3), 1).SetName("one cell thick along y: the slabs' wave, every row on a face"),
        new TestCaseData(PoissonDomains.RandomObstacles(200, 2, 180, 0.2, 4), 0).SetName("two cells thick: every row on a face"),
        new TestCaseData(PoissonDomains.ClosedBox(290, 250, 1), 0).SetName("one plane: runs of rows"),
        new TestCaseData(PoissonDomains.FreeSurfaceTank(200, 180, 3, 0.7, 2), 1).SetName("a box of two planes: fewer than two a core, runs of rows"),
    ];

    /// <summary>Fluid under air, with rows solid from end to end whose row before ends on a fluid cell: a relaxed row
    /// whose vectors are all skipped must write nothing (not the cell before it).</summary>
    static PoissonGrid SolidRows()
    {
        int nx = 27, ny = 9, nz = 8;
        var cells = new CellType[nx * ny * nz];
        for (int i = 0; i < cells.Length; i++) cells[i] = i / (nx * ny) == nz - 1 ? CellType.Air : CellType.Fluid;
        foreach (var (y, z) in new[] { (3, 2), (4, 2), (5, 4), (6, 5) })
            for (int x = 0; x < nx; x++) cells[x + nx * (y + ny * z)] = CellType.Solid;
        return new PoissonGrid(nx, ny, nz, cells);
    }

    [TestCaseSource(nameof(SweepGrids))]
    public void SweepIsTheWeightedStepTowardsGaussSeidelOneColourAfterTheOther(PoissonGrid grid, int first)
    {
        // each colour: x_new = x + w (x_GS - x) cell by cell from the values before that colour's pass, against a plain loop
        var (fine, _, level, _) = Levels(grid);
        Fill(fine.B, level.B, fine.Diagonal, 5);
        Fill(fine.X, level.X, fine.Diagonal, 6);
        var rng = new Random(7);
        var w = Enumerable.Range(0, grid.CellCount).Select(i => level.Diagonal[i] == 0 ? 0 : (float)(2 * rng.NextDouble())).ToArray();
        var expected = (float[])level.X.Clone();
        foreach (int colour in new[] { first, 1 - first })
        {
            var before = (float[])expected.Clone();
            for (int z = 0, i = 0; z < grid.Nz; z++)
                for (int y = 0; y < grid.Ny; y++)
                    for (int x = 0; x < grid.Nx; x++, i++)
                    {
                        if ((x + y + z) % 2 != colour || level.Diagonal[i] == 0) continue;
                        double sides = 0;
                        foreach (var (dx, dy, dz) in new[] { (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1) })
                            if (Inside(grid, x + dx, y + dy, z + dz)) sides += before[grid.Index(x + dx, y + dy, z + dz)];
                        double gs = (level.B[i] + sides) / level.Diagonal[i];
                        expected[i] = (float)(before[i] + w[i] * (gs - before[i]));
                    }
        }
        VCycleKernels.Sweep(level, first, w);
        Assert.That(level.X, Is.EqualTo(expected).Within(1e-5));
        Assert.That(level.X.Zip(expected).Count(p => p.First != 0), Is.GreaterThan(grid.FluidCount / 2), "values worth comparing");
    }

    /// <summary>Small grids of any shape (a side of 1 included) with random fluid, air and solid cells.</summary>
    static readonly Gen<PoissonGrid> SmallGrids = Gen.Select(Gen.Int[1, 21], Gen.Int[1, 9], Gen.Int[1, 9]).SelectMany(size =>
        Gen.Int[0, 9].Array[size.Item1 * size.Item2 * size.Item3].Select(kinds => new PoissonGrid(size.Item1, size.Item2, size.Item3,
            kinds.Select(k => k < 6 ? CellType.Fluid : k < 8 ? CellType.Air : CellType.Solid).ToArray())));

    [Test]
    public void OnRandomSmallGridsTheKernelsMatchTheDoubleKernelsAndThePlainSweep()
    {
        // the vector paths, their tails, the edge cells and the unknowns' box on shapes the named grids do not reach
        SmallGrids.Sample(grid =>
        {
            var (fine, coarse, fineF, coarseF) = Levels(grid);
            Fill(fine.B, fineF.B, fine.Diagonal, 1);
            Fill(fine.X, fineF.X, fine.Diagonal, 2);
            LevelOps.Residual(fine);
            VCycleKernels.Residual(fineF);
            Assert.That(fineF.Work, Is.EqualTo(fine.Work.Select(v => (float)v)).Within(1e-5), "residual");
            LevelOps.Restrict(fine, coarse);
            VCycleKernels.Restrict(fineF, coarseF);
            Assert.That(coarseF.B, Is.EqualTo(coarse.B.Select(v => (float)v)).Within(1e-5), "restriction");
            Fill(coarse.X, coarseF.X, coarse.Diagonal, 3);
            LevelOps.ProlongAdd(coarse, fine);
            VCycleKernels.ProlongAdd(coarseF, fineF);
            Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-5), "prolongation");

            foreach (int colour in new[] { 0, 1, 1, 0 }) LevelOps.GaussSeidelColour(fine, colour);
            VCycleKernels.Sweep(fineF, 0, fineF.Weights[0]);
            VCycleKernels.Sweep(fineF, 1, fineF.Weights[0]);
            Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-4), "two sweeps with unit weights");
        }, iter: 300);
    }

    static bool Inside(PoissonGrid g, int x, int y, int z) => x >= 0 && x < g.Nx && y >= 0 && y < g.Ny && z >= 0 && z < g.Nz;
}
