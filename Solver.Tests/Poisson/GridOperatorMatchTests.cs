using Dcdm.MatrixMarket;
using Dcdm.Sparse;

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
        // 4096 rows, a cube, but its neighbours sit 1 and 64 apart: a 64 x 64 (x 1) grid, not 16^3
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("fluid16_A.mtx"));
        Assert.That(GridOperatorMatch.Infer(a, (16, 16, 16), out string why), Is.Null);
        Assert.That(why, Does.Contain("differs"));
        Assert.That(GridOperatorMatch.FromCouplings(a), Is.EqualTo((64, 64, 1)));
        Assert.That(GridOperatorMatch.Shapes(a), Is.EqualTo(new[] { (16, 16, 16), (64, 64, 1) }), "the cube first");
        foreach (var size in new (int, int, int)?[] { null, (64, 64, 1) })
        {
            var grid = GridOperatorMatch.Infer(a, size, out why);
            Assert.That(grid, Is.Not.Null, why);
            Assert.That((grid!.Nx, grid.Ny, grid.Nz), Is.EqualTo((64, 64, 1)));
            Assert.That(why, Is.Empty, "no reason once a grid fits");
            Assert.That(grid.FluidCount, Is.EqualTo(259));
            Assert.That(grid.ToCsr(GridMatrixLayout.FullGrid).Values, Is.EqualTo(a.Values));
        }
    }

    [Test]
    public void ABoxIsReadFromItsCouplingsWhereItsRowsAreNoCube()
    {
        foreach (var grid in new[] { PoissonDomains.FreeSurfaceTank(7, 6, 5, 0.6, 2), PoissonDomains.RandomObstacles(12, 8, 6, 0.2, 3),
                     PoissonDomains.FreeSurfaceTank(20, 1, 9, 0.5, 1), PoissonDomains.SmokeBox(1, 1, 30) })
        {
            var a = grid.ToCsr(GridMatrixLayout.FullGrid);
            var expected = grid.Nx == 1 && grid.Ny == 1 ? (grid.Nz, 1, 1) : grid.Ny == 1 ? (grid.Nx, grid.Nz, 1) : (grid.Nx, grid.Ny, grid.Nz);
            Assert.That(GridOperatorMatch.FromCouplings(a), Is.EqualTo(expected), $"{grid.Nx}x{grid.Ny}x{grid.Nz}");
            var inferred = GridOperatorMatch.Infer(a, null, out string why);
            Assert.That(inferred, Is.Not.Null, why);
            Assert.That((inferred!.Nx, inferred.Ny, inferred.Nz), Is.EqualTo(expected));
            Assert.That(inferred.ToCsr(GridMatrixLayout.FullGrid).Values, Is.EqualTo(a.Values), "the same operator (a flat grid's y read as its z)");
        }
    }

    [Test]
    public void ACubesOwnCouplingsGiveNoSecondShape()
    {
        var cube = PoissonDomains.RandomObstacles(6, 6, 6, 0.2, 3).ToCsr(GridMatrixLayout.FullGrid);
        Assert.That(GridOperatorMatch.Shapes(cube), Is.EqualTo(new[] { (6, 6, 6) }), "the couplings' box is the cube: tried once");
        Assert.That(GridOperatorMatch.FromCouplings(cube), Is.EqualTo((6, 6, 6)));
    }

    [Test]
    public void StoredZerosAreNoCouplings()
    {
        // an explicit 0 five rows off the diagonal of a 7 x 5 x 4 box: no distance of the box's, and no coupling
        var grid = PoissonDomains.RandomObstacles(7, 5, 4, 0.1, 2);
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        var (r, c, v) = (new List<int> { 5, 0 }, new List<int> { 0, 5 }, new List<double> { 0, 0 });
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) { r.Add(i); c.Add(a.ColumnIndices[k]); v.Add(a.Values[k]); }
        var stored = CsrMatrix.FromCoordinates(a.Rows, a.Columns, r.ToArray(), c.ToArray(), v.ToArray());
        Assert.That(stored.NonZeros, Is.GreaterThan(a.NonZeros), "the zeros are stored");
        Assert.That(GridOperatorMatch.FromCouplings(stored), Is.EqualTo((7, 5, 4)));
        Assert.That(GridOperatorMatch.Infer(stored, null, out string why), Is.Not.Null, why);
    }

    [Test]
    public void EveryShapeTriedIsNamedWhenNoneFits()
    {
        // a 2 x 4 x 8 box (64 rows, also 4^3) with one diagonal no voxel row has: neither the cube nor the box fits
        var a = PoissonDomains.SmokeBox(2, 4, 8).ToCsr(GridMatrixLayout.FullGrid);
        for (int k = a.RowPointers[3]; k < a.RowPointers[4]; k++) if (a.ColumnIndices[k] == 3) a.Values[k] += 0.5;
        Assert.That(GridOperatorMatch.Shapes(a), Is.EqualTo(new[] { (4, 4, 4), (2, 4, 8) }));
        Assert.That(GridOperatorMatch.Infer(a, null, out string why), Is.Null);
        Assert.That(why, Does.Contain("as a 4x4x4 grid").And.Contain("; as a 2x4x8 grid, row 4"));
    }

    [Test]
    public void CouplingsThatNameNoBoxGiveNone()
    {
        // a 4 x 4 x 4 cube whose first row of cells is numbered backwards: distances other than 1, 4 and 16
        var grid = PoissonDomains.SmokeBox(4, 4, 4);
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        int Moved(int i) => i < 8 ? 7 - i : i; // the first row reversed
        var (r, c, v) = (new List<int>(), new List<int>(), new List<double>());
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) { r.Add(Moved(i)); c.Add(Moved(a.ColumnIndices[k])); v.Add(a.Values[k]); }
        var shuffled = CsrMatrix.FromCoordinates(a.Rows, a.Columns, r.ToArray(), c.ToArray(), v.ToArray());
        Assert.That(GridOperatorMatch.FromCouplings(shuffled), Is.Null);
        Assert.That(GridOperatorMatch.Infer(shuffled, null, out string why), Is.Null);
        Assert.That(why, Does.Contain("as a 4x4x4 grid"));
        var ani4 = MatrixMarketReader.ReadMatrix(TestData.Matrix("ani4.mtx")); // a 9-point stencil, no cube either
        Assert.That(GridOperatorMatch.Shapes(ani4), Is.Empty);
        Assert.That(GridOperatorMatch.Infer(ani4, null, out why), Is.Null);
        Assert.That(why, Does.Contain("not n^3").And.Contain("--grid"));
    }

    [Test]
    public void OtherMatricesAreRefusedWithAReason()
    {
        var nos6 = MatrixMarketReader.ReadMatrix(TestData.Matrix("nos6.mtx"));
        Assert.That(GridOperatorMatch.Infer(nos6, null, out string why), Is.Null);
        Assert.That(why, Does.Contain("not n^3").And.Contain("name no box"));
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
