using Dcdm.Models;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Tests.Models;

/// <summary>The float32 V-cycle kernels against the double multigrid kernels (LevelOps, themselves checked against formulas).</summary>
public class VCycleKernelsTests
{
    static (MultigridLevel Fine, MultigridLevel Coarse, VCycleLevel FineF, VCycleLevel CoarseF) Levels(PoissonGrid grid)
    {
        var coarseGrid = MultigridLevel.Coarsen(grid);
        var fine = new MultigridLevel(grid, 1);
        var coarse = new MultigridLevel(coarseGrid, 0.25);
        var zeroField = new StencilField(new int[grid.CellCount], new float[27]);
        return (fine, coarse, new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), 1, zeroField, zeroField),
            new VCycleLevel(coarseGrid.Nx, coarseGrid.Ny, coarseGrid.Nz, CellDiagonal.Of(coarseGrid), 0.25, null, null));
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
    ];

    [TestCaseSource(nameof(Grids))]
    public void ResidualRestrictionAndProlongationMatchTheDoubleKernels(PoissonGrid grid)
    {
        var (fine, coarse, fineF, coarseF) = Levels(grid);
        Fill(fine.B, fineF.B, fine.Diagonal, 1);
        Fill(fine.X, fineF.X, fine.Diagonal, 2);
        LevelOps.Residual(fine);
        VCycleKernels.Residual(fineF);
        Assert.That(fineF.Work, Is.EqualTo(fine.Work.Select(v => (float)v)).Within(1e-5));
        Assert.That(fine.Work.Count(v => v != 0), Is.GreaterThan(grid.CellCount / 3), "a residual worth comparing");

        LevelOps.Restrict(fine, coarse);
        VCycleKernels.Restrict(fineF, coarseF);
        Assert.That(coarseF.B, Is.EqualTo(coarse.B.Select(v => (float)v)).Within(1e-5));

        Fill(coarse.X, coarseF.X, coarse.Diagonal, 3);
        LevelOps.ProlongAdd(coarse, fine);
        VCycleKernels.ProlongAdd(coarseF, fineF);
        Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-5));
    }

    [Test]
    public void GaussSeidelMatchesTheDoubleSweep()
    {
        var grid = PoissonDomains.RandomObstacles(9, 7, 8, 0.2, 5);
        var (fine, _, fineF, _) = Levels(grid);
        Fill(fine.B, fineF.B, fine.Diagonal, 4);
        foreach (int colour in new[] { 0, 1, 1, 0 })
        {
            LevelOps.GaussSeidelColour(fine, colour);
            VCycleKernels.GaussSeidelColour(fineF, colour);
        }
        Assert.That(fine.X.Count(v => v != 0), Is.GreaterThan(grid.CellCount / 3));
        Assert.That(fineF.X, Is.EqualTo(fine.X.Select(v => (float)v)).Within(1e-5));
    }
}
