using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

public class SemidefiniteCholeskyTests
{
    const double Scale = 0.5;

    internal static AggregateLevel FirstLevel(PoissonGrid grid) =>
        Aggregation.FromGrid(grid.Nx, grid.Ny, grid.Nz, CellDiagonal.Of(grid), Scale, out _);

    internal static double[] Multiply(AggregateLevel level, double[] x)
    {
        var y = new double[level.Rows];
        level.Multiply(x, y);
        return y;
    }

    /// <summary>The factor solves A x = b exactly for b = A y, in A's range whatever its null space (a closed
    /// component's constants), and again the same: a solve leaves nothing behind in the factor's own vector.</summary>
    internal static void AssertSolvesAConsistentSystem(AggregateLevel level, ILevelFactor factor)
    {
        var rng = new Random(7);
        var b = Multiply(level, [.. Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5)]);
        var x = new double[level.Rows];
        factor.Solve(b, x);
        var ax = Multiply(level, x);
        double scale = b.Max(Math.Abs);
        for (int i = 0; i < level.Rows; i++) Assert.That(ax[i], Is.EqualTo(b[i]).Within(1e-10 * scale), $"row {i}");
        var again = new double[level.Rows];
        factor.Solve(b, again);
        Assert.That(again, Is.EqualTo(x));
    }

    /// <summary>Pockets (components with and without air: singular blocks beside definite ones), baffles, a closed box
    /// (singular), a channel one cell across.</summary>
    static readonly string[] Levels = ["pockets", "baffles", "closed box", "channel"];

    static AggregateLevel Level(string name) => FirstLevel(name switch
    {
        "pockets" => PoissonDomains.PocketsAndDroplets(14, 12, 16, 3),
        "baffles" => PoissonDomains.Baffles(12, 10, 10, 5),
        "closed box" => PoissonDomains.ClosedBox(8, 6, 6),
        _ => PoissonDomains.Channel(16, 16, 16, 1, offset: 0),
    });

    [TestCaseSource(nameof(Levels))]
    public void ItSolvesAConsistentSystemExactly(string name)
    {
        var level = Level(name);
        var factor = SemidefiniteCholesky.Factor(level);
        Assert.That(factor, Is.Not.Null);
        AssertSolvesAConsistentSystem(level, factor!);
    }

    [TestCaseSource(nameof(Levels))]
    public void TheOrderIsAPermutationAndTheEnvelopeHoldsEveryCoupling(string name)
    {
        var level = Level(name);
        var order = SemidefiniteCholesky.ReverseCuthillMcKee(level)!;
        Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, level.Rows)), "each row once");
        // a dense factor would hold n (n - 1) / 2 entries; the envelope holds each row's couplings to earlier rows
        var place = new int[level.Rows];
        for (int k = 0; k < order.Length; k++) place[order[k]] = k;
        long envelope = 0;
        for (int i = 0; i < level.Rows; i++)
        {
            int first = place[i];
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++) if (level.Values[e] != 0) first = Math.Min(first, place[level.Columns[e]]);
            envelope += place[i] - first;
        }
        Assert.That(SemidefiniteCholesky.Factor(level)!.EnvelopeEntries, Is.EqualTo(envelope));
    }

    [TestCaseSource(nameof(Levels))]
    public void TheOrderIsDeclinedExactlyWhenItsEnvelopePassesTheBudget(string name)
    {
        // the ordering counts the envelope as it goes: the full order at the envelope's own size, none one entry below
        var level = Level(name);
        long envelope = SemidefiniteCholesky.Factor(level)!.EnvelopeEntries;
        Assert.That(envelope, Is.GreaterThan(0));
        Assert.That(SemidefiniteCholesky.ReverseCuthillMcKee(level, envelope), Is.EqualTo(SemidefiniteCholesky.ReverseCuthillMcKee(level)));
        Assert.That(SemidefiniteCholesky.ReverseCuthillMcKee(level, envelope - 1), Is.Null);
        Assert.That(SemidefiniteCholesky.Factor(level, maxEntries: envelope - 1), Is.Null);
    }

    [Test]
    public void AWideLevelIsDeclinedUnderABudgetOfItsCouplingsAndAChainIsOrderedWithTwoSearches()
    {
        // a 3D level: its envelope in any search's order passes its couplings (a quick try's first search
        // already says so, by its width)
        var wide = FirstLevel(PoissonDomains.Baffles(24, 24, 24, 5));
        long couplings = wide.RowStart[wide.Rows];
        Assert.That(SemidefiniteCholesky.ReverseCuthillMcKee(wide, couplings, quick: true), Is.Null);
        Assert.That(SemidefiniteCholesky.ReverseCuthillMcKee(wide, couplings), Is.Null);
        // a channel one cell across: two searches find its end, and the order's envelope stays within the couplings
        var chain = FirstLevel(PoissonDomains.Channel(24, 24, 24, 1, offset: 1));
        var order = SemidefiniteCholesky.ReverseCuthillMcKee(chain, chain.RowStart[chain.Rows], quick: true);
        Assert.That(order, Is.Not.Null);
        Assert.That(order!.Order(), Is.EqualTo(Enumerable.Range(0, chain.Rows)), "each row once");
        var factor = SemidefiniteCholesky.Factor(chain, maxEntries: chain.RowStart[chain.Rows], quick: true);
        Assert.That(factor!.EnvelopeEntries, Is.LessThanOrEqualTo(chain.RowStart[chain.Rows]));
    }

    [Test]
    public void AChannelsEnvelopeIsAboutOneEntryPerRow()
    {
        // a passage one cell across: its aggregates form a path (with short dead ends at the turns), which the
        // reverse Cuthill-McKee order keeps about one entry wide where a dense factor would hold n^2 / 2
        var level = FirstLevel(PoissonDomains.Channel(24, 24, 24, 1, offset: 1));
        Assert.That(level.Rows, Is.GreaterThan(500));
        Assert.That(SemidefiniteCholesky.Factor(level)!.EnvelopeEntries, Is.LessThan(2 * level.Rows));
    }

    [Test]
    public void ALevelBeyondTheBudgetIsNotFactored()
    {
        var level = FirstLevel(PoissonDomains.Baffles(12, 10, 10, 5));
        long entries = SemidefiniteCholesky.Factor(level)!.EnvelopeEntries;
        Assert.That(SemidefiniteCholesky.Factor(level, maxEntries: entries - 1), Is.Null, "one entry short");
        Assert.That(SemidefiniteCholesky.Factor(level, maxEntries: entries), Is.Not.Null);
        Assert.That(SemidefiniteCholesky.Factor(level, maxWork: 10), Is.Null, "too much work");
    }
}
