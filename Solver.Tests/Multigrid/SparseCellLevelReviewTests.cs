using System.Numerics;
using Dcdm.Multigrid;
using Dcdm.Solvers;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// Review of the cells on the lists (<see cref="CellLevel{T}"/> with <see cref="SparseUnknowns"/>): thin grids, the lists'
/// plane starts, a re-bind onto arrays full of NaN, line relaxation on a sparse level, and an odd number of planes in the
/// transfers.
/// </summary>
[NonParallelizable] // sets SparseUnknowns.Share
public class SparseCellLevelReviewTests
{
    /// <summary>The operator with each open face's coefficient times 10^u, u uniform in [-spread, spread], and the faces along x
    /// times <paramref name="alongX"/> (flat cells where that is large).</summary>
    static VoxelOperator Scaled(VoxelOperator unit, int seed, double spread, double alongX = 1, double scale = 1)
    {
        var rng = new Random(seed);
        double[] Scale(double[] faces, double by) => [.. faces.Select(c => c > 0 ? scale * by * c * Math.Pow(10, spread * (2 * rng.NextDouble() - 1)) : 0)];
        return new VoxelOperator(unit.Nx, unit.Ny, unit.Nz, Scale(unit.FaceX, alongX), Scale(unit.FaceY, 1), Scale(unit.FaceZ, 1), [.. unit.Dirichlet.Select(d => scale * d)]);
    }

    static VoxelOperator Tunnels(int nx, int ny, int nz, double share, int seed, double spread, double alongX = 1, double scale = 1) =>
        Scaled(VoxelOperator.FromGrid(PoissonDomains.Tunnels(nx, ny, nz, share, seed)), seed, spread, alongX, scale);

    /// <summary>How the cycle's cells run: "float" or "double", then "points" or "lines"; "box" where they are not on the lists.</summary>
    /// <summary>Which path the cells' level takes: "box", or its precision and relaxation on the lists.</summary>
    internal static string PathOf(VoxelOperator op)
    {
        var cells = CellLevel.For(op, CellLevel.DiagonalOf(op));
        var sparse = cells switch { CellLevel<float> f => f.Sparse, CellLevel<double> d => d.Sparse, _ => null };
        return sparse is null ? "box" : $"{(cells.Single ? "float" : "double")} {(LineAxis.Of(op) >= 0 ? "lines" : "points")}";
    }

    /// <summary>Faces within 2x (float, points); 1e-4-1e4 (double, and lines along z: the cycle clears all of X there);
    /// within 2x but 1e20 times (double on points: X cleared on the lists only).</summary>
    static IEnumerable<TestCaseData> Paths()
    {
        yield return new TestCaseData(0.3, 1.0, "float points").SetArgDisplayNames("float points");
        yield return new TestCaseData(4.0, 1.0, "double lines").SetArgDisplayNames("double lines");
        yield return new TestCaseData(0.3, 1e20, "double points").SetArgDisplayNames("double points");
    }

    static T WithShare<T>(double share, Func<T> make)
    {
        double saved = SparseUnknowns.Share;
        SparseUnknowns.Share = share;
        try { return make(); }
        finally { SparseUnknowns.Share = saved; }
    }

    static IEnumerable<TestCaseData> Thin()
    {
        foreach (var (nx, ny, nz) in new[] { (1, 6, 7), (7, 1, 6), (6, 7, 2), (2, 2, 5), (5, 2, 3), (3, 3, 3), (1, 1, 4) })
            yield return new TestCaseData(nx, ny, nz).SetArgDisplayNames($"{nx}x{ny}x{nz}");
    }

    /// <summary>A smoke box one to three cells across, its faces random, forced onto the lists: nearly every unknown is on
    /// the grid's faces; sweeps, one colour and the residual are the box's bit for bit, in float and in double.</summary>
    [TestCaseSource(nameof(Thin))]
    public void ThinGridsOnTheListsAreTheBoxs(int nx, int ny, int nz)
    {
        var op = Scaled(VoxelOperator.FromGrid(PoissonDomains.SmokeBox(nx, ny, nz)), nx + 10 * ny + 100 * nz, 1);
        Check<float>(op);
        Check<double>(op);
    }

    static void Check<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (onBox, onLists) = (SparseCellLevelTests.Level<T>(op, false, 3), SparseCellLevelTests.Level<T>(op, true, 3));
        Assert.That(onLists.Sparse!.Inner.Sum(l => l.Length) + onLists.Sparse.Edge.Sum(l => l.Length), Is.GreaterThan(0));
        for (int s = 0; s < 2; s++)
            foreach (int first in new[] { 1, 0 })
            {
                onBox.Sweep(onBox.B, onBox.X, first);
                onLists.Sweep(onLists.B, onLists.X, first);
            }
        onBox.GaussSeidelColour(onBox.B, onBox.X, 1);
        onLists.GaussSeidelColour(onLists.B, onLists.X, 1);
        Assert.That(onLists.X, Is.EqualTo(onBox.X), $"{typeof(T).Name}: sweeps");
        onBox.Residual(onBox.B, onBox.X, onBox.Work);
        onLists.Residual(onLists.B, onLists.X, onLists.Work);
        for (int i = 0; i < op.CellCount; i++)
            if (onLists.Diagonal[i] > 0) Assert.That(onLists.Work[i], Is.EqualTo(onBox.Work[i]), $"{typeof(T).Name}: residual at cell {i}");
    }

    /// <summary>The lists' plane starts: plane z's unknowns start where those of the planes below end, above the box too
    /// (the restriction's last block plane starts at an odd plane's entry where nz is odd).</summary>
    [TestCase(9, 8, 7)]
    [TestCase(9, 8, 8)]
    public void EachPlanesUnknownsStartWhereThoseBelowEnd(int nx, int ny, int nz)
    {
        var d = new double[nx * ny * nz];
        int plane = nx * ny;
        d[2 * plane + 3] = d[2 * plane + 17] = d[3 * plane + 5] = d[4 * plane + 40] = 1; // box: planes 2..4, well inside
        var sparse = SparseUnknowns.Of(d, CellBox.Around(d, nx, ny, nz), nx, ny, nz)!;
        Assert.That(sparse, Is.Not.Null);
        Assert.That(sparse.Ascending, Is.EqualTo(d.Select((v, i) => (v, i)).Where(p => p.v > 0).Select(p => p.i)));
        Assert.That(sparse.PlaneStarts, Has.Length.EqualTo(nz + 1));
        for (int z = 0; z <= nz; z++)
            Assert.That(sparse.PlaneStarts[z], Is.EqualTo(sparse.Ascending.Count(i => i < z * plane)), $"plane {z}");
    }

    static (AggregateMultigrid OnLists, AggregateMultigrid OnBox) Both(VoxelOperator op, ReducedSystem unknowns) =>
        (new AggregateMultigrid(op, unknowns), WithShare(0, () => new AggregateMultigrid(op, unknowns)));

    static void AssertSameCycles(AggregateMultigrid onLists, AggregateMultigrid onBox, int count, int cells, int seed)
    {
        var rng = new Random(seed);
        foreach (int length in new[] { count, cells }) // on the unknowns, and on the full grid
        {
            var r = Enumerable.Range(0, length).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var want = new double[length];
            onBox.Apply(r, want);
            Assert.That(want.All(double.IsFinite), "the box's cycle is finite");
            for (int run = 0; run < 2; run++)
            {
                var got = new double[length];
                onLists.Apply(r, got);
                Assert.That(got, Is.EqualTo(want), $"length {length}, run {run}");
            }
        }
    }

    /// <summary>A cycle whose cells are on the lists and relaxed by lines (flat cells along x) is the box's, twice in a row.</summary>
    [Test]
    public void LinesOnASparseLevelCycleAsTheBox()
    {
        var op = Tunnels(44, 40, 42, 0.08, 6, 0.3, alongX: 50);
        Assert.That(LineAxis.Of(op), Is.EqualTo(0), "flat cells: lines along x");
        Assert.That(PathOf(op), Does.EndWith(" lines"), "the cells on the lists, relaxed by lines");
        var unknowns = new ReducedSystem(op.ToCsr());
        var (onLists, onBox) = Both(op, unknowns);
        Assert.That(onLists.LineAxisRelaxed, Is.EqualTo(0));
        Assert.That(onLists.LevelCount, Is.GreaterThan(1));
        AssertSameCycles(onLists, onBox, unknowns.Unknowns, op.CellCount, 11);
    }

    /// <summary>An odd number of planes with the unknowns' box under the grid's top (the air on top): the restriction on the
    /// lists reads the last block plane's start from the plane above the box; the cycle is the box's.</summary>
    [TestCaseSource(nameof(Paths))]
    public void ACycleOnAnOddNumberOfPlanesIsTheBoxs(double spread, double scale, string path)
    {
        var op = Tunnels(40, 36, 41, 0.08, 7, spread, scale: scale);
        Assert.That(PathOf(op), Is.EqualTo(path));
        var diagonal = CellLevel.DiagonalOf(op);
        Assert.That(CellBox.Around(diagonal, op.Nx, op.Ny, op.Nz).Z1, Is.LessThan(op.Nz - 1), "the box under the top plane");
        var unknowns = new ReducedSystem(op.ToCsr());
        var (onLists, onBox) = Both(op, unknowns);
        AssertSameCycles(onLists, onBox, unknowns.Unknowns, op.CellCount, 12);
    }

    /// <summary>A re-bind hands the cells' level the last binding's arrays as they were: filled with NaN, the cycle on the
    /// lists (which clears X on the unknowns only, and reads Work on them only) is a fresh one's, bit for bit.</summary>
    [TestCaseSource(nameof(Paths))]
    public void ACycleOnAReBindsDirtyArraysIsAFreshOnes(double spread, double scale, string path)
    {
        var op = Tunnels(44, 40, 42, 0.08, 6, spread, scale: scale);
        Assert.That(PathOf(op), Is.EqualTo(path));
        int n = op.CellCount;
        var unknowns = new ReducedSystem(op.ToCsr());
        var fresh = new AggregateMultigrid(op, unknowns);
        var cache = new RebindCache();
        using (cache.Begin())
            for (int k = 0; k < 12; k++)
            {
                RebindCache.Array<float>(n).AsSpan().Fill(float.NaN);
                RebindCache.Array<double>(n).AsSpan().Fill(double.NaN);
            }
        AggregateMultigrid again;
        using (cache.Begin()) again = new AggregateMultigrid(op, unknowns);
        Assert.That(cache.Reused, Is.GreaterThanOrEqualTo(3), "the cells' vectors taken from the dirty arrays");
        AssertSameCycles(again, fresh, unknowns.Unknowns, n, 13);
    }
}
