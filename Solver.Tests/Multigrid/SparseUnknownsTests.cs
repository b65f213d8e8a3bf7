using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// A level's unknowns by colour where they fill its box sparsely, and the sweeps and residual that walk them: the same
/// values as the box's kernels, bit for bit, on sparse domains and on dense ones forced onto the lists.
/// </summary>
public class SparseUnknownsTests
{
    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.Tunnels(37, 33, 35, 0.04, 2), false).SetArgDisplayNames("tunnels 37x33x35");
        yield return new TestCaseData(PoissonDomains.Tunnels(48, 44, 40, 0.1, 5), false).SetArgDisplayNames("tunnels 48x44x40, parallel chunks");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(21, 18, 17, 0.6, 3), true).SetArgDisplayNames("tank 21x18x17, forced");
        yield return new TestCaseData(PoissonDomains.SmokeBox(9, 7, 8), true).SetArgDisplayNames("smoke 9x7x8, forced: unknowns on every face");
        yield return new TestCaseData(PoissonDomains.NoiseCarved(66 * System.Numerics.Vector<float>.Count + 3, 6, 7, 0.6, 3), true)
            .SetArgDisplayNames("noise-carved, forced: rows of 67 vectors (two words) at any width, solid between them");
    }

    static VCycleLevel Level(PoissonGrid grid, int seed)
    {
        var level = new VCycleLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), 1, [], transfers: false);
        var rng = new Random(seed);
        for (int i = 0; i < grid.CellCount; i++)
            if (level.Diagonal[i] > 0) (level.B[i], level.X[i]) = ((float)(rng.NextDouble() - 0.5), (float)(rng.NextDouble() - 0.5));
        return level;
    }

    static SparseUnknowns Lists(VCycleLevel level, bool forced) =>
        forced ? SparseUnknowns.Of(level.Diagonal, level.Nx, level.Ny, level.Nz, always: true)! : level.Sparse!;

    [TestCaseSource(nameof(Grids))]
    public void TheListsHoldEachUnknownOnceByColourInnerOrOnTheFaces(PoissonGrid grid, bool forced)
    {
        var level = Level(grid, 1);
        Assert.That(level.Sparse is null, Is.EqualTo(forced), forced ? "a dense box keeps its vectors" : "a sparse box takes the lists");
        var lists = Lists(level, forced);
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        var seen = new List<int>();
        for (int colour = 0; colour < 2; colour++)
        {
            foreach (var (cells, inner) in new[] { (lists.Inner[colour], true), (lists.Edge[colour], false) })
            {
                Assert.That(cells, Is.Ordered.Ascending);
                foreach (int i in cells)
                {
                    int x = i % nx, y = i / nx % ny, z = i / (nx * ny);
                    Assert.That((x + y + z) & 1, Is.EqualTo(colour));
                    Assert.That(x > 0 && y > 0 && z > 0 && x < nx - 1 && y < ny - 1 && z < nz - 1, Is.EqualTo(inner), $"cell {i}");
                }
                seen.AddRange(cells);
            }
        }
        seen.Sort();
        Assert.That(seen, Is.EqualTo(Enumerable.Range(0, grid.CellCount).Where(i => level.Diagonal[i] > 0)));
        if (forced) Assert.That(lists.Edge[0].Length + lists.Edge[1].Length, Is.GreaterThan(0), "cells on the grid's faces");
    }

    /// <summary>Three sweeps each way with the fine level's weight, and with per-cell weights: the lists' values are the box's.</summary>
    [TestCaseSource(nameof(Grids))]
    public void SweepsOnTheListsAreTheBoxsBitForBit(PoissonGrid grid, bool forced)
    {
        var weights = CellDiagonal.Of(grid).Select((d, i) => d > 0 ? 0.9f + (i % 7) * 0.05f : 0f).ToArray();
        foreach (var weight in new[] { null, weights })
        {
            var (onBox, onLists) = (Level(grid, 2), Level(grid, 2));
            var lists = Lists(onLists, forced);
            for (int s = 0; s < 3; s++)
                foreach (int first in new[] { 0, 1 })
                {
                    VCycleKernels.SweepOnBox(onBox, first, weight, 1.15f);
                    VCycleKernels.SweepOnUnknowns(onLists, lists, first, weight, 1.15f);
                }
            Assert.That(onLists.X, Is.EqualTo(onBox.X), weight is null ? "w = 1.15" : "per-cell weights");
            Assert.That(onLists.X, Is.Not.EqualTo(Level(grid, 2).X), "the sweeps did something");
        }
    }

    /// <summary>Gauss-Seidel (w = 1): every cell of the box, at a row's ends and on the grid's faces too, takes
    /// x + (x_GS - x), as the lists do: the same bits.</summary>
    [TestCaseSource(nameof(Grids))]
    public void GaussSeidelOnTheListsIsTheBoxsBitForBit(PoissonGrid grid, bool forced)
    {
        var (onBox, onLists) = (Level(grid, 3), Level(grid, 3));
        var lists = Lists(onLists, forced);
        VCycleKernels.SweepOnBox(onBox, 0, null, 1);
        VCycleKernels.SweepOnUnknowns(onLists, lists, 0, null, 1);
        Assert.That(onLists.X, Is.EqualTo(onBox.X));
        Assert.That(onLists.X, Is.Not.EqualTo(Level(grid, 3).X), "the sweep did something");
    }

    [TestCaseSource(nameof(Grids))]
    public void TheResidualOnTheListsIsTheBoxsAndZeroOffTheUnknowns(PoissonGrid grid, bool forced)
    {
        var (onBox, onLists) = (Level(grid, 4), Level(grid, 4));
        VCycleKernels.ResidualOnBox(onBox);
        VCycleKernels.ResidualOnUnknowns(onLists, Lists(onLists, forced));
        Assert.That(onLists.Work, Is.EqualTo(onBox.Work));
        Assert.That(Enumerable.Range(0, grid.CellCount).Where(i => onLists.Diagonal[i] == 0).All(i => onLists.Work[i] == 0), Is.True);
        Assert.That(onLists.Work.Count(v => v != 0), Is.GreaterThan(grid.FluidCount / 2), "a residual worth comparing");
    }

    /// <summary>The dispatching kernels take the lists on a sparse level: Sweep, Residual and Clear as the lists' own.</summary>
    [Test]
    public void ASparseLevelsKernelsWalkTheLists()
    {
        var grid = PoissonDomains.Tunnels(30, 30, 30, 0.1, 1);
        var (level, reference) = (Level(grid, 5), Level(grid, 5));
        Assert.That(level.Sparse, Is.Not.Null);
        VCycleKernels.Sweep(level, 1, null, 1.15f);
        VCycleKernels.SweepOnUnknowns(reference, reference.Sparse!, 1, null, 1.15f);
        VCycleKernels.Residual(level);
        VCycleKernels.ResidualOnUnknowns(reference, reference.Sparse!);
        Assert.That(level.X, Is.EqualTo(reference.X));
        Assert.That(level.Work, Is.EqualTo(reference.Work));
        VCycleKernels.Clear(level, level.X);
        Assert.That(level.X, Is.All.Zero);
    }
}
