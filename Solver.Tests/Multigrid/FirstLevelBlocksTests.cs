using Dcdm.Multigrid;
using Dcdm.Poisson;
using NUnit.Framework;

namespace Dcdm.Tests.Multigrid;

public class FirstLevelBlocksTests
{
    static IEnumerable<TestCaseData> Grids()
    {
        // rock with narrow passages: blocks of several pieces; 41 x 40 x 40 runs the transfers in parallel planes
        yield return new TestCaseData(PoissonDomains.Named("porous", 41, 40, 40, 2)).SetArgDisplayNames("porous 41x40x40");
        yield return new TestCaseData(PoissonDomains.Slits(37, 9, 13, 1)).SetArgDisplayNames("slits 37x9x13");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(19, 11, 9, 0.6, seed: 2)).SetArgDisplayNames("tank 19x11x9");
        // few blocks hold an unknown: the transfers walk the list of those, in one chunk and in parallel chunks
        yield return new TestCaseData(PoissonDomains.Tunnels(41, 36, 38, 0.05, 3)).SetArgDisplayNames("tunnels 41x36x38");
        yield return new TestCaseData(PoissonDomains.Tunnels(96, 94, 90, 0.05, 1)).SetArgDisplayNames("tunnels 96x94x90, parallel chunks");
        // a grid one cell high: one block plane, cut into parallel runs of block rows; blocks of four cells, never full
        yield return new TestCaseData(Flat(301, 250, 0.3, 5)).SetArgDisplayNames("one cell high 301x250x1, runs of block rows");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(260, 1, 300, 0.6, seed: 4)).SetArgDisplayNames("one cell thick 260x1x300");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(150, 150, 5, 0.2, 2)).SetArgDisplayNames("obstacles 150x150x5: three block planes, runs");
    }

    /// <summary>A grid one cell high, fluid with a share of solid cells at random (blocks of two pieces where solid cells
    /// lie on a diagonal) and air along y = 0.</summary>
    static PoissonGrid Flat(int nx, int ny, double solid, int seed)
    {
        var rng = new Random(seed);
        var cells = Enumerable.Range(0, nx * ny).Select(i => i < nx ? CellType.Air : rng.NextDouble() < solid ? CellType.Solid : CellType.Fluid).ToArray();
        return new PoissonGrid(nx, ny, 1, cells);
    }

    /// <summary>The list of occupied blocks is taken where they are a small share of all (tunnels), not by the families whose
    /// blocks are mostly full (rock with narrow passages, a tank).</summary>
    [Test]
    public void TheTransfersWalkTheOccupiedBlocksWhereTheyAreFew()
    {
        bool Walks(PoissonGrid grid)
        {
            Aggregation.FirstLevel(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), 0.5, out var blocks, null);
            return blocks.WalksOccupied;
        }
        Assert.That(Walks(PoissonDomains.Tunnels(41, 36, 38, 0.05, 3)), Is.True);
        Assert.That(Walks(PoissonDomains.Tunnels(96, 94, 90, 0.05, 1)), Is.True);
        Assert.That(Walks(PoissonDomains.Named("porous", 41, 40, 40, 2)), Is.False);
        Assert.That(Walks(PoissonDomains.FreeSurfaceTank(19, 11, 9, 0.6, seed: 2)), Is.False);
    }

    [TestCaseSource(nameof(Grids))]
    public void TheBlocksMapEachCellToItsRowAndTransferAsTheCellByCellLoops(PoissonGrid grid)
    {
        var diagonal = CellDiagonal.Of(grid);
        var level = Aggregation.FirstLevel(grid.Nx, grid.Ny, grid.Nz, diagonal, 0.5, out var blocks, null);
        var parent = blocks.ParentMap();
        Assert.That(level.BlockRows.Max(), Is.GreaterThan(grid.Nx > 30 && grid.Ny > 30 ? 1 : 0), "blocks of several pieces in the rock");
        for (int i = 0; i < grid.CellCount; i++)
        {
            Assert.That(parent[i] >= 0, Is.EqualTo(diagonal[i] > 0), $"cell {i}: an unknown has a row, no other cell");
            Assert.That(blocks.RowOf(i), Is.EqualTo(parent[i]), $"cell {i}");
        }
        Assert.That(parent.Where(a => a >= 0).Distinct().Count(), Is.EqualTo(level.Rows), "every row has a cell");

        var rng = new Random(3);
        var r = Enumerable.Range(0, grid.CellCount).Select(i => diagonal[i] > 0 ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
        var expected = new double[level.Rows];
        for (int i = 0; i < parent.Length; i++) if (parent[i] >= 0) expected[parent[i]] += r[i]; // in cell order
        var restricted = Enumerable.Repeat(double.NaN, level.Rows).ToArray(); // every row written: nothing to clear first
        blocks.Restrict(r, restricted);
        Assert.That(restricted, Is.EqualTo(expected), "the same sums in the same order");

        var coarse = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, grid.CellCount).Select(_ => (float)rng.NextDouble()).ToArray();
        var want = (float[])x.Clone();
        for (int i = 0; i < parent.Length; i++) if (parent[i] >= 0) want[i] += (float)coarse[parent[i]];
        blocks.Prolong(coarse, x);
        Assert.That(x, Is.EqualTo(want), "x += P0 coarse, cells off the unknowns untouched");
    }
}
