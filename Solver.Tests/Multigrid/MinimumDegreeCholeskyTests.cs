using Dcdm.Multigrid;
using Dcdm.Solvers;

namespace Dcdm.Tests.Multigrid;

public class MinimumDegreeCholeskyTests
{
    static AggregateLevel FirstLevel(PoissonGrid grid) => SemidefiniteCholeskyTests.FirstLevel(grid);

    static double[] Multiply(AggregateLevel level, double[] x) => SemidefiniteCholeskyTests.Multiply(level, x);

    /// <summary>Pockets (components with and without air: singular blocks beside definite ones), a closed box (singular),
    /// a channel one cell across, the carved rock and tunnels (networks of passages), baffles (3D, it fills more).</summary>
    static readonly string[] Levels = ["pockets", "closed box", "channel", "carved", "tunnels", "baffles"];

    static AggregateLevel Level(string name) => FirstLevel(name switch
    {
        "pockets" => PoissonDomains.PocketsAndDroplets(14, 12, 16, 3),
        "closed box" => PoissonDomains.ClosedBox(8, 6, 6),
        "channel" => PoissonDomains.Channel(16, 16, 16, 1, offset: 0),
        "baffles" => PoissonDomains.Baffles(12, 10, 10, 5),
        _ => PoissonDomains.Named(name, 30, 26, 28, 5),
    });

    [TestCaseSource(nameof(Levels))]
    public void ItSolvesAConsistentSystemExactly(string name)
    {
        var level = Level(name);
        var factor = MinimumDegreeCholesky.Factor(level, long.MaxValue);
        Assert.That(factor, Is.Not.Null);
        SemidefiniteCholeskyTests.AssertSolvesAConsistentSystem(level, factor!);
    }

    [TestCaseSource(nameof(Levels))]
    public void TheOrderIsAPermutationAndEachCouplingIsInTheColumnOfItsRowEliminatedFirst(string name)
    {
        var level = Level(name);
        var (order, start, below) = MinimumDegreeCholesky.Order(level, long.MaxValue)!.Value;
        Assert.That(order.Order(), Is.EqualTo(Enumerable.Range(0, level.Rows)));
        var place = new int[level.Rows];
        for (int k = 0; k < order.Length; k++) place[order[k]] = k;
        for (int k = 0; k < order.Length; k++)
        {
            var column = below.AsSpan(start[k], start[k + 1] - start[k]).ToArray();
            Assert.That(column.Distinct().Count(), Is.EqualTo(column.Length), $"column {k} lists a row twice");
            Assert.That(column.All(row => place[row] > k), $"column {k} lists a row eliminated before it");
        }
        for (int i = 0; i < level.Rows; i++)
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int j = level.Columns[e];
                if (level.Values[e] == 0 || j == i) continue;
                var (first, last) = place[i] < place[j] ? (i, j) : (j, i);
                Assert.That(below.AsSpan(start[place[first]], start[place[first] + 1] - start[place[first]]).Contains(last), $"coupling ({i}, {j})");
            }
        // and each column's rows couple to each other in the columns below it: the elimination's clique
        for (int k = 0; k < order.Length; k++)
        {
            var column = below.AsSpan(start[k], start[k + 1] - start[k]).ToArray().OrderBy(r => place[r]).ToArray();
            for (int a = 0; a < column.Length; a++)
                for (int c = a + 1; c < column.Length; c++)
                {
                    int p = place[column[a]];
                    Assert.That(below.AsSpan(start[p], start[p + 1] - start[p]).Contains(column[c]), $"fill ({column[a]}, {column[c]}) of column {k}");
                }
        }
    }

    [Test]
    public void ATreeFillsNothing()
    {
        // a binary tree of 1,023 rows and a path of 500 beside it: leaves first, each column one entry, its parent
        int tree = 1023, path = 500, n = tree + path;
        var neighbours = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int i = 1; i < tree; i++) { neighbours[i].Add((i - 1) / 2); neighbours[(i - 1) / 2].Add(i); }
        for (int i = tree + 1; i < n; i++) { neighbours[i].Add(i - 1); neighbours[i - 1].Add(i); }
        var level = Graph(neighbours, diagonal: 3.5);
        var factor = MinimumDegreeCholesky.Factor(level, long.MaxValue)!;
        Assert.That(factor.Entries, Is.EqualTo(tree - 1 + path - 1), "one entry per coupling, none filled");
        var b = Multiply(level, [.. Enumerable.Range(0, n).Select(i => Math.Sin(i))]);
        var x = new double[n];
        factor.Solve(b, x);
        for (int i = 0; i < n; i++) Assert.That(x[i], Is.EqualTo(Math.Sin(i)).Within(1e-12), $"row {i}");
    }

    [Test]
    public void ASheetFillsPastTheNarrowBudgetAndIsDeclined()
    {
        // a flat grid's first level is a sheet (4 couplings a row): its factor holds several entries a row in any order,
        // over a narrow level's budget, so the order stops there and the level is coarsened instead
        var level = FirstLevel(PoissonDomains.Named("tank", 128, 1, 128, 5));
        long couplings = level.RowStart[level.Rows];
        Assert.That(couplings, Is.LessThanOrEqualTo(AggregateHierarchy.NarrowCouplings * level.Rows), "narrow enough to be tried");
        Assert.That(MinimumDegreeCholesky.Factor(level, (long)(AggregateHierarchy.NarrowFill * couplings)), Is.Null);
        Assert.That(AggregateHierarchy.NarrowFactor(level), Is.Null);
        Assert.That(MinimumDegreeCholesky.Factor(level, long.MaxValue)!.Entries, Is.GreaterThan(AggregateHierarchy.NarrowFill * couplings));
    }

    [Test]
    public void ALevelBeyondTheBudgetIsNotFactored()
    {
        var level = Level("carved");
        long entries = MinimumDegreeCholesky.Factor(level, long.MaxValue)!.Entries;
        Assert.That(MinimumDegreeCholesky.Factor(level, entries - 1), Is.Null, "one entry short");
        Assert.That(MinimumDegreeCholesky.Factor(level, entries)!.Entries, Is.EqualTo(entries));
    }

    [Test]
    public void ANegativeBudgetDeclinesEveryLevel()
    {
        // as the envelope's factor: a budget below 0 (a NarrowFill set below 0 to turn the narrow rule off) is a decline,
        // not an array of negative length
        var level = Level("channel");
        Assert.That(SemidefiniteCholesky.Factor(level, maxEntries: -1), Is.Null);
        Assert.That(MinimumDegreeCholesky.Factor(level, -1), Is.Null);
        double saved = AggregateHierarchy.NarrowFill;
        AggregateHierarchy.NarrowFill = -1;
        try { Assert.That(AggregateHierarchy.NarrowFactor(level), Is.Null); }
        finally { AggregateHierarchy.NarrowFill = saved; }
    }

    [Test]
    public void ANetworksFirstCoarseLevelIsFactoredAndTheCycleTakesNoMoreIterations()
    {
        // the carved rock: passages one to three cells across, its first coarse level a network of chains (3.8
        // couplings a row), which fills about one entry a coupling in a minimum-degree order: the cycle is two levels,
        // the coarse one solved exactly, where the K-cycle went down six more levels of 2-3x each
        var grid = PoissonDomains.Named("carved", 48, 48, 48, 5);
        var b = RightHandSides.VelocityDivergence(grid, 1);
        var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
        Assert.That(m.CoarseRows, Has.Count.EqualTo(1), string.Join(", ", m.CoarseRows));
        Assert.That(m.CoarsestFactored);
        Assert.That(m.Describe(), Does.Contain("entries in a minimum-degree order"));
        int factored = AggregateMultigridTests.ConvergedByPcgMg(grid, b, 1e-6).Iterations;
        AggregateMultigridTests.WithoutNarrowFactor(() =>
        {
            var coarsened = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
            Assert.That(coarsened.CoarseRows, Has.Count.GreaterThan(3), "coarsened level after level without the narrow factor");
            Assert.That(factored, Is.LessThanOrEqualTo(AggregateMultigridTests.ConvergedByPcgMg(grid, b, 1e-6).Iterations));
        });
    }

    [Test]
    public void ANarrowLevelAboveTheRowsCapIsCoarsened()
    {
        var grid = PoissonDomains.Named("carved", 48, 48, 48, 5);
        int saved = AggregateHierarchy.NarrowRows;
        AggregateHierarchy.NarrowRows = 100;
        try
        {
            // the levels of more than 100 rows are kept, coarsened as before down to the usual size
            var m = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
            Assert.That(m.CoarseRows, Has.Count.GreaterThan(3), string.Join(", ", m.CoarseRows));
            Assert.That(m.CoarseRows.Take(m.CoarseRows.Count - 1).All(rows => rows > 100), string.Join(", ", m.CoarseRows));
        }
        finally { AggregateHierarchy.NarrowRows = saved; }
    }

    [Test]
    public void ExplicitZeroCouplingsAreNoCouplingsAndFillNothing()
    {
        // a path of 400 rows whose CSR also lists zeros between rows 40 apart (both ways, as a Galerkin product of faces
        // with no coefficient leaves them): as couplings they would close loops that fill; as zeros they are no edge
        int n = 400;
        var neighbours = Enumerable.Range(0, n).Select(_ => new List<(int, double)>()).ToArray();
        for (int i = 1; i < n; i++) { neighbours[i].Add((i - 1, -1)); neighbours[i - 1].Add((i, -1)); }
        for (int i = 40; i < n; i += 40) { neighbours[i].Add((i - 40, 0)); neighbours[i - 40].Add((i, 0)); }
        neighbours[0].Insert(0, (n - 1, 0)); neighbours[n - 1].Insert(0, (0, 0)); // a zero in the first row listed first
        var level = Graph(neighbours, diagonal: 2.5);
        var factor = MinimumDegreeCholesky.Factor(level, long.MaxValue)!;
        Assert.That(factor.Entries, Is.EqualTo(n - 1), "one entry per nonzero coupling: a path fills nothing");
        var y = Enumerable.Range(0, n).Select(i => Math.Cos(i)).ToArray();
        var x = new double[n];
        factor.Solve(Multiply(level, y), x);
        for (int i = 0; i < n; i++) Assert.That(x[i], Is.EqualTo(y[i]).Within(1e-12), $"row {i}");
    }

    [Test]
    public void AComponentAnchoredWeaklyIsSolvedNotPinned()
    {
        // a path of 100 rows with no Dirichlet cell but 1e-7 of a coupling at one end: definite, its last pivot about
        // 1e-7 of its diagonal, far above round-off (1e-10 of it): the unique solution, not one pinned at 0
        int n = 100;
        var neighbours = Enumerable.Range(0, n).Select(_ => new List<(int, double)>()).ToArray();
        for (int i = 1; i < n; i++) { neighbours[i].Add((i - 1, -1)); neighbours[i - 1].Add((i, -1)); }
        var level = Graph(neighbours, diagonal: 2);
        level.Diagonal[0] = 1 + 1e-7;
        level.Diagonal[n - 1] = 1;
        var y = Enumerable.Range(0, n).Select(i => 1 + Math.Sin(0.3 * i)).ToArray();
        var x = new double[n];
        MinimumDegreeCholesky.Factor(level, long.MaxValue)!.Solve(Multiply(level, y), x);
        for (int i = 0; i < n; i++) Assert.That(x[i], Is.EqualTo(y[i]).Within(1e-5), $"row {i}");
    }

    [Test]
    public void AnEmptyOneRowOrDiagonalLevelIsFactoredWithinAZeroBudget()
    {
        var empty = Graph(Array.Empty<List<int>>(), diagonal: 1);
        Assert.That(MinimumDegreeCholesky.Factor(empty, 0)!.Entries, Is.Zero);
        MinimumDegreeCholesky.Factor(empty, 0)!.Solve([], []);
        // rows with no coupling: each its own component; a zero diagonal is a zero pivot, its unknown 0
        var diagonal = Graph(new List<int>[] { [], [], [], [] }, diagonal: 2);
        diagonal.Diagonal[2] = 0;
        var factor = MinimumDegreeCholesky.Factor(diagonal, 0)!;
        Assert.That(factor.Entries, Is.Zero);
        var x = new double[4];
        factor.Solve([2, 4, 0, 8], x);
        Assert.That(x, Is.EqualTo(new[] { 1.0, 2, 0, 4 }));
        // two coupled rows: one entry, so a budget of 0 declines them and 1 takes them
        var pair = Graph(new List<int>[] { [1], [0] }, diagonal: 2);
        Assert.That(MinimumDegreeCholesky.Factor(pair, 0), Is.Null);
        Assert.That(MinimumDegreeCholesky.Factor(pair, 1)!.Entries, Is.EqualTo(1));
    }

    [Test]
    public void TheOrderStopsOnItsWorkWhereEachLeafWalksAHubsNeighbours()
    {
        // a star: 2,000 leaves on one hub fill nothing (2,000 entries), but each leaf's elimination walks the hub's list
        // (2 million reads in all), past 64 times the budget: declined on work, as documented, where a budget without
        // a bound on work would take it
        int leaves = 2000, n = leaves + 1;
        var neighbours = Enumerable.Range(0, n).Select(i => i == 0 ? Enumerable.Range(1, leaves).ToList() : [0]).ToArray();
        var level = Graph(neighbours, diagonal: 1);
        level.Diagonal[0] = leaves + 1;
        Assert.That(MinimumDegreeCholesky.Factor(level, long.MaxValue)!.Entries, Is.EqualTo(leaves));
        Assert.That(MinimumDegreeCholesky.Order(level, maxEntries: leaves), Is.Null);
    }

    /// <summary>A level of one block per row, its couplings -1 to the given neighbours.</summary>
    static AggregateLevel Graph(List<int>[] neighbours, double diagonal)
    {
        int n = neighbours.Length;
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + neighbours[i].Count;
        var columns = neighbours.SelectMany(l => l).ToArray();
        return new AggregateLevel(n, rowStart, columns, [.. Enumerable.Repeat(-1.0, columns.Length)], [.. Enumerable.Repeat(diagonal, n)],
            (n, 1, 1), [.. Enumerable.Range(0, n)], [.. Enumerable.Repeat(1, n)]);
    }

    /// <summary>A level of one block per row, its couplings the given values (explicit zeros kept in its CSR).</summary>
    static AggregateLevel Graph(List<(int Column, double Value)>[] neighbours, double diagonal)
    {
        int n = neighbours.Length;
        var rowStart = new int[n + 1];
        for (int i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + neighbours[i].Count;
        return new AggregateLevel(n, rowStart, [.. neighbours.SelectMany(l => l.Select(e => e.Column))], [.. neighbours.SelectMany(l => l.Select(e => e.Value))],
            [.. Enumerable.Repeat(diagonal, n)], (n, 1, 1), [.. Enumerable.Range(0, n)], [.. Enumerable.Repeat(1, n)]);
    }
}
