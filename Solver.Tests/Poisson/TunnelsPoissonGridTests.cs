namespace Dcdm.Tests.Poisson;

/// <summary>The tunnels family's arguments and its walks' bounds: what the generator refuses, the smallest grid it takes, and
/// walks that reach every side of the block alike.</summary>
public class TunnelsPoissonGridTests
{
    /// <summary>Fewer than three cells along any axis is refused (the walks start on the plane under the air, nz - 2).</summary>
    [TestCase(2, 8, 8)]
    [TestCase(8, 2, 8)]
    [TestCase(8, 8, 2)]
    [TestCase(8, 8, 1)]
    public void AGridUnderThreeCellsAcrossIsRefused(int nx, int ny, int nz) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.Tunnels(nx, ny, nz, 0.1, 1));

    /// <summary>The share is of the cells, in (0, 1].</summary>
    [TestCase(0.0)]
    [TestCase(-0.1)]
    [TestCase(1.5)]
    [TestCase(double.NaN)]
    [TestCase(double.PositiveInfinity)]
    public void AShareOutsideZeroToOneIsRefused(double share) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.Tunnels(12, 12, 12, share, 1));

    /// <summary>The smallest grid, 3^3, at the smallest and the largest share: air on top, at least the walks' first cell
    /// fluid under it, solid elsewhere.</summary>
    [TestCase(1e-9)]
    [TestCase(1.0)]
    public void TheSmallestGridHasAPassageUnderTheAir(double share)
    {
        var cells = PoissonDomains.Tunnels(3, 3, 3, share, 4).Cells.ToArray();
        Assert.That(cells[18..], Is.All.EqualTo(CellType.Air));
        Assert.That(cells[9..18].Count(c => c == CellType.Fluid), Is.GreaterThan(0), "a walk's first cell, under the air");
        Assert.That(cells[..18], Has.None.EqualTo(CellType.Air));
    }

    /// <summary>The walks are unbiased (one step to any of six neighbours, bounded by the grid): over 100 seeds the fluid
    /// cells on the faces x = 0 and x = n - 1 are as many to within half again, as are those on y = 0 and y = n - 1, and the
    /// walks reach the bottom.</summary>
    [Test]
    public void TheWalksReachEverySideOfTheBlockAlike()
    {
        int n = 10;
        long low = 0, high = 0, front = 0, back = 0, bottom = 0;
        for (int seed = 0; seed < 100; seed++)
        {
            var cells = PoissonDomains.Tunnels(n, n, n, 0.5, seed).Cells.ToArray();
            for (int z = 0; z < n - 1; z++)
                for (int k = 0; k < n; k++)
                {
                    bool Fluid(int x, int y) => cells[x + n * (y + n * z)] == CellType.Fluid;
                    low += Fluid(0, k) ? 1 : 0; high += Fluid(n - 1, k) ? 1 : 0;
                    front += Fluid(k, 0) ? 1 : 0; back += Fluid(k, n - 1) ? 1 : 0;
                }
            for (int i = 0; i < n * n; i++) bottom += cells[i] == CellType.Fluid ? 1 : 0;
        }
        string counts = $"x faces {low}, {high}; y faces {front}, {back}; bottom {bottom}";
        Assert.That(high / (double)low, Is.InRange(0.67, 1.5), counts);
        Assert.That(back / (double)front, Is.InRange(0.67, 1.5), counts);
        Assert.That(bottom, Is.GreaterThan(0), counts);
    }
    /// <summary>Each walk starts on the plane under the air: at the smallest share each of the four walks carves its first
    /// cell only, so every fluid cell is on z = nz - 2, touching the air (a start lower down could leave a pocket that does
    /// not drain).</summary>
    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    public void EachWalkStartsUnderTheAir(int seed)
    {
        int n = 12;
        var cells = PoissonDomains.Tunnels(n, n, n, 1e-9, seed).Cells.ToArray();
        var fluid = Enumerable.Range(0, cells.Length).Where(i => cells[i] == CellType.Fluid).ToArray();
        Assert.That(fluid, Has.Length.InRange(1, 4));
        Assert.That(fluid.Select(i => i / (n * n)), Is.All.EqualTo(n - 2));
    }
}
