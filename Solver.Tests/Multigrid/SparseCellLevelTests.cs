using System.Numerics;
using Dcdm.Multigrid;
using Dcdm.Solvers;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// A voxel operator's cells (<see cref="CellLevel{T}"/>) on the lists of their unknowns where those fill the box sparsely
/// (<see cref="SparseUnknowns"/>): the sweeps, the residual and the cycle's transfers give the box's values bit for bit,
/// in float and in double, on sparse operators and on dense ones forced onto the lists.
/// </summary>
[NonParallelizable] // sets SparseUnknowns.Share
public class SparseCellLevelTests
{
    /// <summary>Tunnels with each open face's coefficient times 10^u, u uniform in [-spread, spread]: sums whose order shows.</summary>
    static VoxelOperator Tunnels(int nx, int ny, int nz, double share, int seed, double spread)
    {
        var unit = VoxelOperator.FromGrid(PoissonDomains.Tunnels(nx, ny, nz, share, seed));
        var rng = new Random(seed);
        double[] Scaled(double[] faces) => [.. faces.Select(c => c > 0 ? c * Math.Pow(10, spread * (2 * rng.NextDouble() - 1)) : 0)];
        return new VoxelOperator(nx, ny, nz, Scaled(unit.FaceX), Scaled(unit.FaceY), Scaled(unit.FaceZ), unit.Dirichlet);
    }

    static IEnumerable<TestCaseData> Operators()
    {
        yield return new TestCaseData(Tunnels(37, 33, 35, 0.05, 2, 1), false).SetArgDisplayNames("tunnels, faces 0.1-10");
        yield return new TestCaseData(Tunnels(48, 44, 40, 0.08, 5, 0.3), false).SetArgDisplayNames("tunnels, parallel chunks");
        yield return new TestCaseData(Tunnels(30, 28, 26, 0.06, 3, 4), false).SetArgDisplayNames("tunnels, faces 1e-4-1e4: double");
        yield return new TestCaseData(CoefficientDomains.TwoPhase(14, 12, 13, 1000, 4), true).SetArgDisplayNames("two-phase, forced");
        yield return new TestCaseData(VoxelOperator.FromGrid(PoissonDomains.SmokeBox(9, 7, 8)), true).SetArgDisplayNames("smoke, forced: unknowns on every face");
    }

    /// <summary>The level built with the lists (<paramref name="lists"/>) or the box, B and X random on the unknowns.</summary>
    internal static CellLevel<T> Level<T>(VoxelOperator op, bool lists, int seed) where T : unmanaged, IFloatingPointIeee754<T>
    {
        double saved = SparseUnknowns.Share;
        SparseUnknowns.Share = lists ? 2 : 0;
        try
        {
            var level = new CellLevel<T>(op, CellLevel.DiagonalOf(op));
            Assert.That(level.Sparse is not null, Is.EqualTo(lists));
            var rng = new Random(seed);
            Array.Clear(level.X);
            for (int i = 0; i < op.CellCount; i++)
                if (level.Diagonal[i] > 0) (level.B[i], level.X[i]) = (T.CreateTruncating(rng.NextDouble() - 0.5), T.CreateTruncating(rng.NextDouble() - 0.5));
            return level;
        }
        finally { SparseUnknowns.Share = saved; }
    }

    [TestCaseSource(nameof(Operators))]
    public void ASparseOperatorTakesTheListsByDefaultAndADenseOneTheBox(VoxelOperator op, bool dense)
    {
        var level = new CellLevel<float>(op, CellLevel.DiagonalOf(op));
        Assert.That(level.Sparse is null, Is.EqualTo(dense));
    }

    /// <summary>
    /// The lists copy each unknown's row, not the grid's faces: the spans of the open faces and of the diagonals they find
    /// (which pick float or double) are the copies', and the grid's faces, copied when asked for (line relaxation), are too.
    /// </summary>
    [TestCaseSource(nameof(Operators))]
    public void TheListsFindTheCopiesSpansAndCopyTheFacesWhenAsked(VoxelOperator op, bool dense)
    {
        var (onBox, onLists) = (Level<float>(op, false, 1), Level<float>(op, true, 1));
        Assert.That(onLists.Faces, Is.EqualTo(onBox.Faces));
        Assert.That(onLists.Diagonals, Is.EqualTo(onBox.Diagonals));
        Assert.That(onLists.Faces.Largest, Is.GreaterThan(0));
        Assert.That((onLists.FaceX, onLists.FaceY, onLists.FaceZ), Is.EqualTo((onBox.FaceX, onBox.FaceY, onBox.FaceZ)));
        var single = CellLevel.SingleBears(onBox.Faces, onBox.Diagonals);
        Assert.That(CellLevel.For(op, CellLevel.DiagonalOf(op)) is CellLevel<float>, Is.EqualTo(single));
    }

    /// <summary>Three sweeps each way and one colour at a time: the lists' X is the box's, in float and in double.</summary>
    [TestCaseSource(nameof(Operators))]
    public void SweepsOnTheListsAreTheBoxsBitForBit(VoxelOperator op, bool dense)
    {
        AssertSweeps<float>(op);
        AssertSweeps<double>(op);
    }

    static void AssertSweeps<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (onBox, onLists) = (Level<T>(op, false, 2), Level<T>(op, true, 2));
        for (int s = 0; s < 3; s++)
            foreach (int first in new[] { 0, 1 })
            {
                onBox.Sweep(onBox.B, onBox.X, first);
                onLists.Sweep(onLists.B, onLists.X, first);
            }
        Assert.That(onLists.X, Is.EqualTo(onBox.X), $"{typeof(T).Name}: sweeps");
        Assert.That(onLists.X, Is.Not.EqualTo(Level<T>(op, false, 2).X), "the sweeps did something");
        onBox.GaussSeidelColour(onBox.B, onBox.X, 1);
        onLists.GaussSeidelColour(onLists.B, onLists.X, 1);
        onBox.GaussSeidelColour(onBox.B, onBox.X, 0);
        onLists.GaussSeidelColour(onLists.B, onLists.X, 0);
        Assert.That(onLists.X, Is.EqualTo(onBox.X), $"{typeof(T).Name}: one colour at a time");
    }

    /// <summary>The residual on the lists is the box's on every unknown; the lists write nothing else.</summary>
    [TestCaseSource(nameof(Operators))]
    public void TheResidualOnTheListsIsTheBoxsOnTheUnknowns(VoxelOperator op, bool dense)
    {
        AssertResidual<float>(op);
        AssertResidual<double>(op);
    }

    static void AssertResidual<T>(VoxelOperator op) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var (onBox, onLists) = (Level<T>(op, false, 4), Level<T>(op, true, 4));
        var marker = T.CreateTruncating(12345);
        Array.Fill(onLists.Work, marker);
        onBox.Residual(onBox.B, onBox.X, onBox.Work);
        onLists.Residual(onLists.B, onLists.X, onLists.Work);
        int unknowns = 0;
        for (int i = 0; i < op.CellCount; i++)
        {
            if (onLists.Diagonal[i] > 0)
            {
                Assert.That(onLists.Work[i], Is.EqualTo(onBox.Work[i]), $"{typeof(T).Name}: cell {i}");
                Assert.That(onLists.Work[i], Is.Not.EqualTo(T.Zero), $"{typeof(T).Name}: a residual worth comparing at cell {i}");
                unknowns++;
            }
            else Assert.That(onLists.Work[i], Is.EqualTo(marker), $"{typeof(T).Name}: cell {i} is no unknown and not written");
        }
        Assert.That(unknowns, Is.GreaterThan(0));
    }

    /// <summary>
    /// The whole cycle on a sparse operator (the cells' lists, their restriction and prolongation on the lists, X cleared
    /// there only) is the box's bit for bit, twice in a row (nothing of one cycle stays for the next), and a solve takes
    /// the same iterations to the same residual.
    /// </summary>
    [TestCase(0.3, "float points", TestName = "The cycle on the lists is the box's: faces within 2x, float points")]
    [TestCase(4.0, "double lines", TestName = "The cycle on the lists is the box's: faces 1e-4-1e4, double, relaxed by lines")]
    public void TheCycleOnTheListsIsTheBoxs(double spread, string path)
    {
        var op = Tunnels(44, 40, 42, 0.08, 6, spread);
        Assert.That(SparseCellLevelReviewTests.PathOf(op), Is.EqualTo(path));
        var a = op.ToCsr();
        var unknowns = new ReducedSystem(a);
        var onLists = new AggregateMultigrid(op, unknowns);
        double saved = SparseUnknowns.Share;
        SparseUnknowns.Share = 0;
        AggregateMultigrid onBox;
        try { onBox = new AggregateMultigrid(op, unknowns); }
        finally { SparseUnknowns.Share = saved; }
        Assert.That(onLists.LevelCount, Is.GreaterThan(1), "a hierarchy above the cells");
        var rng = new Random(9);
        var r = Enumerable.Range(0, unknowns.Unknowns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var want = new double[r.Length];
        onBox.Apply(r, want);
        Assert.That(want.Count(v => v != 0), Is.EqualTo(r.Length), "a correction on every unknown");
        for (int run = 0; run < 2; run++)
        {
            var got = new double[r.Length];
            onLists.Apply(r, got);
            Assert.That(got, Is.EqualTo(want), $"run {run}");
        }
        var exact = new double[op.CellCount];
        foreach (int cell in unknowns.Active!) exact[cell] = rng.NextDouble() - 0.5;
        var b = new double[op.CellCount];
        a.Multiply(exact, b);
        var options = new SolverOptions { Tolerance = 1e-8 };
        var listed = new ConjugateGradient(() => unknowns, "pcg-mg", options, _ => onLists).Solve(b, new double[b.Length], SolveSettings.None);
        var boxed = new ConjugateGradient(() => unknowns, "pcg-mg", options, _ => onBox).Solve(b, new double[b.Length], SolveSettings.None);
        Assert.That(listed.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That((listed.Iterations, listed.RelativeResidual), Is.EqualTo((boxed.Iterations, boxed.RelativeResidual)));
    }
}
