using Dcdm.Models;

namespace Dcdm.Tests.Poisson;

/// <summary>
/// The families with passages at the scale of the cells (<see cref="PoissonDomains.CarvedRock"/>,
/// <see cref="PoissonDomains.BeadPack"/>, <see cref="PoissonDomains.Chambers"/>): their arguments, the share of solid
/// they make, the thinness of what they make at every size, and the K-cycle's iterations on them.
/// </summary>
public class NarrowPassageDomainsTests
{
    static double SolidShare(PoissonGrid grid) => grid.Cells.ToArray()[..(grid.CellCount - grid.Nx * grid.Ny)].Count(c => c == CellType.Solid)
        / (double)(grid.CellCount - grid.Nx * grid.Ny);

    [TestCase(0.8, 8)]
    [TestCase(0.6, 5)]
    public void CarvedRockIsCutAtItsSolidShareUnderAnAirLayer(double solid, double wavelength)
    {
        var grid = PoissonDomains.CarvedRock(40, 36, 32, solid, wavelength, 3);
        Assert.That(SolidShare(grid), Is.EqualTo(solid).Within(0.01));
        Assert.That(grid.Cells.ToArray()[(grid.CellCount - grid.Nx * grid.Ny)..], Is.All.EqualTo(CellType.Air));
        Assert.That(grid.Cells.ToArray(), Is.EqualTo(PoissonDomains.CarvedRock(40, 36, 32, solid, wavelength, 3).Cells.ToArray()), "the seed decides");
        Assert.That(grid.Cells.ToArray(), Is.Not.EqualTo(PoissonDomains.CarvedRock(40, 36, 32, solid, wavelength, 4).Cells.ToArray()));
    }

    /// <summary>The passages keep their width as the grid grows: along x, a run of fluid cells is as long at 96 cells as at 32
    /// (within a third), where the rock family's waves, which scale with the box, make it three times longer.</summary>
    [Test]
    public void CarvedRocksPassagesStayAsNarrowAtEverySize()
    {
        static double MeanRun(PoissonGrid grid)
        {
            var cells = grid.Cells.ToArray();
            long runs = 0, fluid = 0;
            for (int row = 0; row < grid.CellCount / grid.Nx - grid.Nx * grid.Ny / grid.Nx; row++)
                for (int x = 0; x < grid.Nx; x++)
                {
                    bool f = cells[row * grid.Nx + x] == CellType.Fluid;
                    if (f) { fluid++; if (x == 0 || cells[row * grid.Nx + x - 1] != CellType.Fluid) runs++; }
                }
            return fluid / (double)runs;
        }
        double small = MeanRun(PoissonDomains.CarvedRock(32, 32, 32, 0.8, 8, 1)), large = MeanRun(PoissonDomains.CarvedRock(96, 96, 96, 0.8, 8, 1));
        Assert.That(large / small, Is.InRange(0.75, 1.33), $"mean fluid run along x: {small:F2} cells at 32^3, {large:F2} at 96^3");
        Assert.That(small, Is.LessThan(4), "passages a few cells across");
    }

    [Test]
    public void ABeadPackFillsToItsSolidShare()
    {
        var grid = PoissonDomains.BeadPack(36, 30, 28, 0.65, 3.5, 2);
        Assert.That(SolidShare(grid), Is.InRange(0.64, 0.70), "the last bead may overshoot by its volume");
        Assert.That(grid.Cells.ToArray(), Is.EqualTo(PoissonDomains.BeadPack(36, 30, 28, 0.65, 3.5, 2).Cells.ToArray()), "the seed decides");
    }

    /// <summary>Walls one cell thick every pitch cells along each axis, at an offset the seed picks: along a line of cells
    /// inside a chamber's span the solid cells are exactly those on the wall planes, pitch apart; every chamber drains to
    /// the air through the pinholes (one component, none closed); the top layer air.</summary>
    [TestCase(7, 3)]
    [TestCase(5, 8)]
    public void ChambersAreWalledEveryPitchCellsAndDrainThroughPinholes(int pitch, int seed)
    {
        int n = 26;
        var grid = PoissonDomains.Chambers(n, n, n, pitch, seed);
        var cells = grid.Cells.ToArray();
        // the x positions of the walls: the solid cells along x of a line whose y and z are inside a chamber, as most are
        var walls = Enumerable.Range(1, n - 2).SelectMany(y => Enumerable.Range(1, n - 3).Select(z => (y, z)))
            .Select(p => string.Join(",", Enumerable.Range(0, n).Where(x => cells[x + n * (p.y + n * p.z)] == CellType.Solid)))
            .GroupBy(w => w).OrderByDescending(g => g.Count()).First().Key.Split(',').Select(int.Parse).ToArray();
        Assert.That(walls.Zip(walls.Skip(1), (a, b) => b - a), Is.All.EqualTo(pitch), $"walls at x = {string.Join(", ", walls)}");
        Assert.That(walls[0], Is.LessThan(pitch));
        var system = ReducedSystem.FromGrid(grid);
        Assert.That(system.ComponentCount, Is.EqualTo(1), "every chamber joined through pinholes");
        Assert.That(system.SingularComponents, Is.Empty, "and draining to the air");
        Assert.That(cells[^(n * n)..], Is.All.EqualTo(CellType.Air));
        Assert.That(PoissonDomains.Chambers(n, n, n, pitch, seed + 1).Cells.ToArray(), Is.Not.EqualTo(cells), "the seed moves the walls and pinholes");
    }

    [Test]
    public void ArgumentsOutsideTheirRangesAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.CarvedRock(8, 8, 8, 1, 8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.CarvedRock(8, 8, 8, 0.8, 1, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.BeadPack(8, 8, 8, 0, 3, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.BeadPack(8, 8, 8, 0.5, 0.5, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.Chambers(8, 8, 8, 2, 1));
    }

    /// <summary>NaN and infinite arguments are refused too (NaN passed `is &lt;= 0 or &gt;= 1`: the rock came out solid but one
    /// cell, the bead pack all fluid; an infinite wavelength made every wave a constant and the rock all fluid).</summary>
    [Test]
    public void NonFiniteArgumentsAreRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.CarvedRock(8, 8, 8, double.NaN, 8, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.CarvedRock(8, 8, 8, 0.8, double.PositiveInfinity, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => PoissonDomains.BeadPack(8, 8, 8, double.NaN, 3, 1));
    }

    /// <summary>The bead pack's top layer is air, and its radius sets the pores' scale: at the same solid share, beads of
    /// radius 2 make well over twice the solid/fluid changes along x that beads of radius 5 make.</summary>
    [Test]
    public void ABeadPacksRadiusSetsItsScaleUnderAnAirLayer()
    {
        static int Changes(PoissonGrid grid)
        {
            var cells = grid.Cells.ToArray();
            int changes = 0;
            for (int i = 1; i < grid.CellCount - grid.Nx * grid.Ny; i++)
                if (i % grid.Nx != 0 && (cells[i] == CellType.Solid) != (cells[i - 1] == CellType.Solid)) changes++;
            return changes;
        }
        var small = PoissonDomains.BeadPack(40, 40, 40, 0.65, 2, 3);
        Assert.That(small.Cells.ToArray()[(small.CellCount - small.Nx * small.Ny)..], Is.All.EqualTo(CellType.Air));
        int fine = Changes(small), coarse = Changes(PoissonDomains.BeadPack(40, 40, 40, 0.65, 5, 3));
        Assert.That(fine, Is.GreaterThan(2 * coarse), $"{fine} changes at radius 2, {coarse} at radius 5");
    }

    /// <summary>Each wall between two chambers below the air layer has exactly one pinhole (one fluid cell on the wall's
    /// square), and the seed picks the walls' offsets per axis.</summary>
    [TestCase(7)]
    [TestCase(4)]
    public void EachWallBetweenTwoChambersHasOnePinhole(int pitch)
    {
        int nx = 30, ny = 23, nz = 26;
        var firstWalls = new HashSet<(int, int, int)>();
        for (int seed = 1; seed <= 8; seed++)
        {
            var grid = PoissonDomains.Chambers(nx, ny, nz, pitch, seed);
            var cells = grid.Cells.ToArray();
            bool Fluid(int x, int y, int z) => cells[x + nx * (y + ny * z)] == CellType.Fluid;
            // the wall planes: along each axis, the coordinates where a plane is solid but for at most a few pinholes
            int[] Walls(int n, Func<int, int, int, bool> solidAt, int m1, int m2) => Enumerable.Range(0, n)
                .Where(c => Enumerable.Range(0, m1).Sum(a => Enumerable.Range(0, m2).Count(b => !solidAt(c, a, b))) <= m1 * m2 / 4).ToArray();
            var wx = Walls(nx, (c, a, b) => !Fluid(c, a, b), ny, nz - 1);
            var wy = Walls(ny, (c, a, b) => !Fluid(a, c, b), nx, nz - 1);
            var wz = Walls(nz - 1, (c, a, b) => !Fluid(a, b, c), nx, ny);
            foreach (var w in new[] { wx, wy, wz }) Assert.That(w.Zip(w.Skip(1), (a, b) => b - a), Is.All.EqualTo(pitch), $"seed {seed}");
            firstWalls.Add((wx[0], wy[0], wz[0]));
            // the chambers' spans along an axis: between consecutive walls (and the grid's ends)
            List<(int Lo, int Hi)> Spans(int[] walls, int n) => [.. new[] { -1 }.Concat(walls).Concat(new[] { n }).Zip(walls.Concat(new[] { n }), (a, b) => (a + 1, b - 1))
                .Where(s => s.Item1 <= s.Item2)];
            var (sx, sy, sz) = (Spans(wx, nx), Spans(wy, ny), Spans(wz, nz).Where(s => s.Hi < nz - 1).ToList());
            int Count(IEnumerable<(int X, int Y, int Z)> square) => square.Count(c => Fluid(c.X, c.Y, c.Z));
            foreach (int c in wx.Where(c => c > 0 && c < nx - 1))
                foreach (var (ylo, yhi) in sy) foreach (var (zlo, zhi) in sz)
                    Assert.That(Count(from y in Enumerable.Range(ylo, yhi - ylo + 1) from z in Enumerable.Range(zlo, zhi - zlo + 1) select (c, y, z)), Is.EqualTo(1), $"x wall {c}, seed {seed}");
            foreach (int c in wy.Where(c => c > 0 && c < ny - 1))
                foreach (var (xlo, xhi) in sx) foreach (var (zlo, zhi) in sz)
                    Assert.That(Count(from x in Enumerable.Range(xlo, xhi - xlo + 1) from z in Enumerable.Range(zlo, zhi - zlo + 1) select (x, c, z)), Is.EqualTo(1), $"y wall {c}, seed {seed}");
            foreach (int c in wz.Where(c => c > 0))
                foreach (var (xlo, xhi) in sx) foreach (var (ylo, yhi) in sy)
                    Assert.That(Count(from x in Enumerable.Range(xlo, xhi - xlo + 1) from y in Enumerable.Range(ylo, yhi - ylo + 1) select (x, y, c)), Is.EqualTo(1), $"z wall {c}, seed {seed}");
        }
        Assert.That(firstWalls.Select(w => w.Item1).Distinct().Count(), Is.GreaterThan(1), "the seed picks the x offset");
        Assert.That(firstWalls.Select(w => w.Item3).Distinct().Count(), Is.GreaterThan(1), "the seed picks the z offset");
    }

    /// <summary>The K-cycle's iterations on the three families as named (32^3 here; docs/benchmarks.md has 64^3 and 128^3):
    /// at most 10, as issue 21 asks on every family, the closed pockets of the rock included. The carved rock takes exactly
    /// 10 at this seed (7-8 at seeds 1-3): the bound is the issue's, with no margin, so a change that costs it one iteration
    /// fails here.</summary>
    [TestCase("carved", 10)]
    [TestCase("beads", 8)]
    [TestCase("chambers", 10)]
    public void DcdmSolvesEachFamilyInFewIterations(string family, int most)
    {
        var grid = PoissonDomains.Named(family, 32, 32, 32, 7);
        var b = RightHandSides.VelocityDivergence(grid, 7);
        var result = new DeepConjugateDirections(grid, new KCycleDirectionModel()).Solve(b, new double[b.Length]);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.LessThanOrEqualTo(most));
        Assert.That(result.RelativeResidual, Is.LessThanOrEqualTo(1e-6));
    }
}
