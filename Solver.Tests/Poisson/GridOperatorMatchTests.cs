using Dcdm.MatrixMarket;

namespace Dcdm.Tests.Poisson;

public class GridOperatorMatchTests
{
    [Test]
    public void AFullGridMatrixGivesBackItsGrid()
    {
        foreach (var grid in new[] { PoissonDomains.FreeSurfaceTank(7, 6, 5, 0.6, 2), PoissonDomains.Spheres(8, 8, 8, 2, 1), PoissonDomains.ClosedBox(4, 4, 4) })
        {
            var a = grid.ToCsr(GridMatrixLayout.FullGrid);
            var inferred = GridOperatorMatch.Infer(a, (grid.Nx, grid.Ny, grid.Nz), out string why);
            Assert.That(inferred, Is.Not.Null, why);
            Assert.That(inferred!.ToCsr(GridMatrixLayout.FullGrid).Values, Is.EqualTo(a.Values));
            Assert.That(inferred!.FluidCells, Is.EqualTo(grid.FluidCells));
        }
    }

    [Test]
    public void TheShippedFluidMatrixIsA64By64Grid()
    {
        // 4096 rows, but its neighbours sit 1 and 64 apart: a 64 x 64 (x 1) grid, not 16^3
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("fluid16_A.mtx"));
        Assert.That(GridOperatorMatch.Infer(a, null, out string why), Is.Null);
        Assert.That(why, Does.Contain("differs"));
        var grid = GridOperatorMatch.Infer(a, (64, 64, 1), out why);
        Assert.That(grid, Is.Not.Null, why);
        Assert.That(grid!.FluidCount, Is.EqualTo(259));
    }

    [Test]
    public void OtherMatricesAreRefusedWithAReason()
    {
        var nos6 = MatrixMarketReader.ReadMatrix(TestData.Matrix("nos6.mtx"));
        Assert.That(GridOperatorMatch.Infer(nos6, null, out string why), Is.Null);
        Assert.That(why, Does.Contain("not n^3"));
        var lap = MatrixMarketReader.ReadMatrix(TestData.Matrix("lap3D_7pt_n20.mtx")); // 20^3 rows, but Dirichlet all round
        Assert.That(GridOperatorMatch.Infer(lap, null, out why), Is.Null);
        Assert.That(why, Does.Contain("row"));
    }

    [Test]
    public void ACompactMatrixMatchesItsFlags()
    {
        var grid = PoissonDomains.RandomObstacles(6, 6, 6, 0.2, 3);
        Assert.That(GridOperatorMatch.Matches(grid, grid.ToCsr(GridMatrixLayout.Compact), GridMatrixLayout.Compact, out string why), why);
        var other = PoissonDomains.SmokeBox(6, 6, 6);
        Assert.That(GridOperatorMatch.Matches(other, grid.ToCsr(GridMatrixLayout.Compact), GridMatrixLayout.Compact, out why), Is.False);
    }
}
