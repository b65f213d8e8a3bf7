using System.Numerics;
using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// The lists of a level's unknowns (<see cref="SparseUnknowns"/>) at their limits: the share threshold to the cell, the
/// count's early exit, grids one or two cells across, lists long enough for parallel chunks, Gauss-Seidel at weight 1 on
/// a box wide enough for the box's vectors, and a V-cycle's level vectors after a non-finite residual.
/// </summary>
public class SparseUnknownsEdgeCaseTests
{
    static VCycleLevel Level(PoissonGrid grid, int seed) => Level(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), seed);

    static VCycleLevel Level(int nx, int ny, int nz, byte[] diagonal, int seed)
    {
        var level = new VCycleLevel(nx, ny, nz, diagonal, 1, [], transfers: false);
        var rng = new Random(seed);
        for (int i = 0; i < diagonal.Length; i++)
            if (diagonal[i] > 0) (level.B[i], level.X[i]) = ((float)(rng.NextDouble() - 0.5), (float)(rng.NextDouble() - 0.5));
        return level;
    }

    /// <summary>A 10^3 grid whose box is all of it (unknowns at two opposite corners) with <paramref name="count"/> unknowns, the
    /// others from the first cells on.</summary>
    static byte[] TenCubed(int count)
    {
        var d = new byte[1000];
        d[0] = d[^1] = 6;
        for (int i = 1, placed = 2; placed < count; i++, placed++) d[i] = 6;
        return d;
    }

    /// <summary>"Fewer than a tenth of the box": 99 unknowns of 1,000 cells take the lists, 100 keep the box's vectors.</summary>
    [TestCase(99, true)]
    [TestCase(100, false)]
    public void TheListsTakeABoxWithFewerUnknownsThanATenthOfItsCells(int count, bool lists)
    {
        var d = TenCubed(count);
        Assert.That(d.Count(v => v != 0), Is.EqualTo(count));
        Assert.That(SparseUnknowns.Of(d, 10, 10, 10) is not null, Is.EqualTo(lists));
    }

    /// <summary>The count stops once it reaches the threshold, not before the box's last plane: one unknown at the first
    /// corner and a full last plane (101 of 1,000) keep the box's vectors.</summary>
    [Test]
    public void TheCountReadsTheBoxsLastPlane()
    {
        var d = new byte[1000];
        d[0] = 6;
        for (int i = 900; i < 1000; i++) d[i] = 6;
        Assert.That(SparseUnknowns.Of(d, 10, 10, 10), Is.Null);
    }

    /// <summary>The measured crossover (docs/benchmarks.md): at 15-25% scattered unknowns the lists were slower, so a box a fifth
    /// full keeps its vectors, and one a twelfth full takes the lists.</summary>
    [TestCase(5, false)]
    [TestCase(12, true)]
    public void ScatteredUnknownsTakeTheListsOnlyBelowATenth(int every, bool lists)
    {
        var d = new byte[1000];
        for (int i = 0; i < d.Length; i += every) d[i] = 6;
        d[^1] = 6;
        Assert.That(SparseUnknowns.Of(d, 10, 10, 10) is not null, Is.EqualTo(lists));
    }

    static IEnumerable<TestCaseData> Thin()
    {
        foreach (var (nx, ny, nz) in new[] { (1, 1, 7), (2, 2, 9), (2, 9, 1), (9, 1, 2), (1, 6, 5), (3, 3, 3) })
            yield return new TestCaseData(nx, ny, nz).SetArgDisplayNames($"{nx}x{ny}x{nz}");
    }

    /// <summary>Grids one or two cells across, every cell an unknown, forced onto the lists: every cell is on a face (no
    /// inner list but the 3^3 grid's centre) and the sweeps and residual are the box's, which take their scalar path there.</summary>
    [TestCaseSource(nameof(Thin))]
    public void GridsOneOrTwoCellsAcrossAreAllOnTheFacesAndSweptAsTheBox(int nx, int ny, int nz)
    {
        var rng = new Random(nx + 10 * ny + 100 * nz);
        var d = Enumerable.Range(0, nx * ny * nz).Select(_ => (byte)rng.Next(1, 7)).ToArray();
        var lists = SparseUnknowns.Of(d, nx, ny, nz, always: true)!;
        Assert.That(lists.Inner.Sum(l => l.Length), Is.EqualTo(nx == 3 && ny == 3 && nz == 3 ? 1 : 0));
        Assert.That(lists.Inner.Sum(l => l.Length) + lists.Edge.Sum(l => l.Length), Is.EqualTo(d.Length));
        var (onBox, onLists) = (Level(nx, ny, nz, d, 1), Level(nx, ny, nz, d, 1));
        for (int s = 0; s < 2; s++)
        {
            VCycleKernels.SweepOnBox(onBox, s, null, 1.15f);
            VCycleKernels.SweepOnUnknowns(onLists, lists, s, null, 1.15f);
        }
        Assert.That(onLists.X, Is.EqualTo(onBox.X));
        VCycleKernels.ResidualOnBox(onBox);
        VCycleKernels.ResidualOnUnknowns(onLists, lists);
        Assert.That(onLists.Work, Is.EqualTo(onBox.Work));
    }

    /// <summary>A tank forced onto the lists has more than ParallelCells / 4 inner cells of each colour, not a whole number
    /// of chunks: the parallel chunks must cover every cell once (the tunnels cases of SparseUnknownsTests are all below
    /// the parallel threshold).</summary>
    [Test]
    public void ParallelChunksCoverEveryCellOfALongList()
    {
        var grid = PoissonDomains.FreeSurfaceTank(48, 48, 48, 0.6, 3);
        var lists = SparseUnknowns.Of(CellDiagonal.Of(grid), grid.Nx, grid.Ny, grid.Nz, always: true)!;
        foreach (var inner in lists.Inner)
        {
            Assert.That(inner.Length, Is.GreaterThanOrEqualTo(VCycleKernels.ParallelCells / 4), "long enough for parallel chunks");
            Assert.That(inner.Length % (1 << 13), Is.Not.Zero, "a last chunk shorter than the others");
        }
        var weights = CellDiagonal.Of(grid).Select((d, i) => d > 0 ? 0.9f + (i % 7) * 0.05f : 0f).ToArray();
        foreach (var weight in new[] { null, weights })
        {
            var (onBox, onLists) = (Level(grid, 6), Level(grid, 6));
            for (int s = 0; s < 2; s++)
            {
                VCycleKernels.SweepOnBox(onBox, s, weight, 1.15f);
                VCycleKernels.SweepOnUnknowns(onLists, lists, s, weight, 1.15f);
            }
            Assert.That(onLists.X, Is.EqualTo(onBox.X), weight is null ? "w = 1.15" : "per-cell weights");
            VCycleKernels.ResidualOnBox(onBox);
            VCycleKernels.ResidualOnUnknowns(onLists, lists);
            Assert.That(onLists.Work, Is.EqualTo(onBox.Work));
        }
    }

    /// <summary>Gauss-Seidel (w = 1, no weights) where every row of the box is at least a vector wide: the box takes
    /// x + (x_GS - x) on every cell, by vectors or one at a time, as the lists do, so the values agree bit for bit (no
    /// path may take x_GS itself).</summary>
    [Test]
    public void GaussSeidelOnAWideBoxIsTheBoxsBitForBit()
    {
        Assume.That(Vector.IsHardwareAccelerated, "the box's vector path");
        var grid = PoissonDomains.Tunnels(37, 33, 35, 0.04, 2);
        var (onBox, onLists) = (Level(grid, 3), Level(grid, 3));
        Assert.That(onLists.Sparse, Is.Not.Null);
        Assert.That(Math.Min(onBox.Box.X1, grid.Nx - 2) - Math.Max(onBox.Box.X0, 1) + 1, Is.GreaterThanOrEqualTo(Vector<float>.Count), "inner rows a vector wide");
        for (int s = 0; s < 3; s++)
            foreach (int first in new[] { 0, 1 })
            {
                VCycleKernels.SweepOnBox(onBox, first, null, 1);
                VCycleKernels.SweepOnUnknowns(onLists, onLists.Sparse!, first, null, 1);
            }
        Assert.That(onLists.X, Is.EqualTo(onBox.X));
    }

    /// <summary>Clear on a sparse level zeroes its unknowns on the grid's faces too, and leaves the rest of the vector alone.</summary>
    [Test]
    public void ClearOnTheListsZeroesTheUnknownsOnTheFaces()
    {
        var grid = PoissonDomains.Tunnels(30, 30, 30, 0.1, 1);
        var level = Level(grid, 8);
        var sparse = level.Sparse!;
        Assert.That(sparse.Edge[0].Length + sparse.Edge[1].Length, Is.GreaterThan(0), "unknowns on the faces");
        VCycleKernels.Clear(level, level.B);
        Assert.That(level.B, Is.All.Zero);
    }

    static IEnumerable<TestCaseData> AfterNaN()
    {
        yield return new TestCaseData(PoissonDomains.Tunnels(32, 32, 32, 0.1, 1)).SetArgDisplayNames("tunnels 32^3, a sparse fine level");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(32, 32, 32, 0.6, 1)).SetArgDisplayNames("tank 32^3, box levels");
    }

    /// <summary>
    /// BUG (fails on the tunnels case): the list Clear assumes a level's vectors are 0 off its unknowns, but ProlongAdd
    /// adds P e times min(d, 1) = 0 there, which is NaN where e is NaN or infinite. After one application to a residual
    /// holding a NaN (a breakdown) the sparse fine level's X keeps NaN off its unknowns for good: every later direction
    /// of the same binding reads it as a neighbour. The box's Clear zeroes the whole box, so the tank recovers.
    /// </summary>
    [TestCaseSource(nameof(AfterNaN))]
    public void AGeometricCycleRecoversFromANaNResidual(PoissonGrid grid)
    {
        var model = VCycleDirectionModel.Shipped();
        var (used, fresh) = (model.BindGeometric(grid), model.BindGeometric(grid));
        var d = CellDiagonal.Of(grid);
        var rng = new Random(7);
        var r = d.Select(v => v == 0 ? 0f : (float)(rng.NextDouble() - 0.5)).ToArray();
        var broken = (float[])r.Clone();
        broken[Array.FindIndex(d, v => v != 0)] = float.NaN;
        var q = new float[r.Length];
        used.Apply(broken, q);
        used.Apply(r, q);
        var expected = new float[r.Length];
        fresh.Apply(r, expected);
        Assert.That(q.Count(float.IsNaN), Is.Zero, "NaN entries after a finite residual");
        Assert.That(q, Is.EqualTo(expected));
    }
    /// <summary>
    /// The lists found a vector of cells at a time, against a plain loop: boxes 1 to 41 cells wide (no whole vector, whole
    /// vectors and a tail), bytes and doubles; a double diagonal that is NaN, negative or -0 is no unknown (as the
    /// kernels take it: a positive diagonal), a tiny positive one is.
    /// </summary>
    [Test]
    public void TheListsHoldThePositiveDiagonalsOfEveryWidthOfBox()
    {
        var rng = new Random(17);
        double[] odd = [double.NaN, -1, -0.0, 0, double.Epsilon, 1e-300, 3, double.PositiveInfinity];
        for (int nx = 1; nx <= 41; nx += 4)
        {
            int ny = 5, nz = 4, n = nx * ny * nz;
            var bytes = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3 ? (byte)rng.Next(1, 7) : (byte)0).ToArray();
            var doubles = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.3 ? odd[rng.Next(odd.Length)] : 0.0).ToArray();
            bytes[0] = bytes[^1] = 6; // the box is the whole grid
            doubles[0] = doubles[^1] = 6;
            AssertLists(SparseUnknowns.Of(bytes, nx, ny, nz, always: true)!, [.. bytes.Select(b => (double)b)], nx, ny, nz);
            AssertLists(SparseUnknowns.Of(doubles, new CellBox(0, nx - 1, 0, ny - 1, 0, nz - 1), nx, ny, nz, always: true)!, doubles, nx, ny, nz);
        }
    }

    static void AssertLists(SparseUnknowns lists, double[] d, int nx, int ny, int nz)
    {
        var want = Enumerable.Range(0, d.Length).Where(i => d[i] > 0).ToArray();
        Assert.That(lists.Ascending, Is.EqualTo(want), $"{nx}x{ny}x{nz}");
        for (int z = 0; z <= nz; z++) Assert.That(lists.PlaneStarts[z], Is.EqualTo(want.Count(i => i < z * nx * ny)));
        for (int colour = 0; colour < 2; colour++)
        {
            bool Inner(int i) => i % nx > 0 && i % nx < nx - 1 && i / nx % ny > 0 && i / nx % ny < ny - 1 && i / (nx * ny) > 0 && i / (nx * ny) < nz - 1;
            int Colour(int i) => (i % nx + i / nx % ny + i / (nx * ny)) & 1;
            Assert.That(lists.Inner[colour], Is.EqualTo(want.Where(i => Colour(i) == colour && Inner(i))));
            Assert.That(lists.Edge[colour], Is.EqualTo(want.Where(i => Colour(i) == colour && !Inner(i))));
        }
    }
}
