using System.Text.Json;
using Dcdm.Multigrid;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Tests.Multigrid;

/// <summary>A narrow domain's factor against its matrix, what it declines, and the solvers that run it.</summary>
public class NarrowDomainTests
{
    /// <summary>The grid with its air made solid: the channel's one component then has no Dirichlet term (singular).</summary>
    static PoissonGrid Sealed(PoissonGrid grid)
    {
        var cells = grid.Cells.ToArray().Select(c => c == CellType.Air ? CellType.Solid : c).ToArray();
        return new PoissonGrid(grid.Nx, grid.Ny, grid.Nz, cells);
    }

    [TestCase(1, 0)]
    [TestCase(1, 1)]
    [TestCase(2, 0)]
    [TestCase(2, 1)]
    public void AChannelsFactorSolvesItsUnknownsExactly(int width, int offset)
    {
        var grid = PoissonDomains.Channel(24, 20, 22, width, offset);
        var cells = grid.UnknownCells;
        var factor = NarrowDomain.Factor(grid, cells);
        Assert.That(factor, Is.Not.Null, "a channel one or two cells across is narrow");
        Assert.That(factor!.EnvelopeEntries, Is.LessThanOrEqualTo(NarrowDomain.EntriesPerRow * cells.Length));
        var a = ReducedSystem.FromGrid(grid).Matrix; // the unknowns' rows, in the same order
        var b = RandomVector.Centred(cells.Length, 3);
        var x = new double[b.Length];
        factor.Solve(b, x);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThan(1e-10));
    }

    [Test]
    public void ASealedChannelIsSolvedForAConsistentRightHandSide()
    {
        // no air: the constants are the null space; one pivot falls to zero and its unknown is fixed at 0
        var grid = Sealed(PoissonDomains.Channel(20, 20, 20, 2, offset: 1));
        var cells = grid.UnknownCells;
        var a = ReducedSystem.FromGrid(grid).Matrix;
        var y = RandomVector.Centred(cells.Length, 5);
        var b = new double[y.Length];
        a.Multiply(y, b); // in the range of A
        var x = new double[b.Length];
        NarrowDomain.Factor(grid, cells)!.Solve(b, x);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThan(1e-9));
        double shift = x[0] - y[0];
        Assert.That(x.Select((v, i) => Math.Abs(v - y[i] - shift)).Max(), Is.LessThan(1e-6), "the solution up to a constant");
    }

    [TestCase("tank")]
    [TestCase("rocks")]
    [TestCase("baffles")]
    [TestCase("wide channel")] // three cells square: about 9 envelope entries a row, over the 8 allowed
    [TestCase("channel into a chamber")]
    public void ADomainThatIsNotNarrowIsDeclined(string name)
    {
        var grid = name switch
        {
            "wide channel" => PoissonDomains.Channel(32, 32, 32, 3, offset: 0),
            "channel into a chamber" => WithChamber(PoissonDomains.Channel(32, 32, 32, 2, offset: 1)),
            _ => PoissonDomains.Named(name, 24, 24, 24, 7),
        };
        Assert.That(NarrowDomain.Factor(grid, grid.UnknownCells), Is.Null);
        Assert.That(new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid)).SolvedByFactor, Is.False);
    }

    /// <summary>The channel with a 12^3 box of fluid carved through it: narrow everywhere but there.</summary>
    static PoissonGrid WithChamber(PoissonGrid grid)
    {
        var cells = grid.Cells.ToArray();
        for (int z = 10; z < 22; z++)
            for (int y = 10; y < 22; y++)
                for (int x = 10; x < 22; x++) cells[x + grid.Nx * (y + grid.Ny * z)] = CellType.Fluid;
        return new PoissonGrid(grid.Nx, grid.Ny, grid.Nz, cells);
    }

    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void ALongChannelTakesOneIterationWhereItsLevelsTakeMore(SolveMethod method)
    {
        var grid = PoissonDomains.Channel(48, 48, 48, 2, offset: 1);
        var b = RightHandSides.VelocityDivergence(grid, 1);
        SolveResult Solve()
        {
            using var solver = (IDisposable)new SolverCatalog().CreateForGrid(method, grid, null, Dcdm.Models.ShippedModels.Default());
            var x = new double[grid.CellCount];
            var result = ((ILinearSolver)solver).Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1e-6));
            return result;
        }
        Assert.That(Solve().Iterations, Is.EqualTo(1));
        int levels = 0;
        AggregateMultigridTests.WithLevels(() => levels = Solve().Iterations);
        Assert.That(levels, Is.GreaterThanOrEqualTo(3), "the same channel through its levels");
    }

    [Test]
    public void TheFactorsCycleTakesTheUnknownsOrTheFullGrid()
    {
        var grid = PoissonDomains.Channel(24, 24, 24, 1, offset: 1);
        var cycle = new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid));
        Assert.That(cycle.SolvedByFactor);
        Assert.That(cycle.LevelCount, Is.EqualTo(1));
        var cells = cycle.UnknownCells;
        var r = RandomVector.Centred(cells.Length, 7);
        var z = new double[r.Length];
        cycle.Apply(r, 2, z);
        var full = new double[grid.CellCount];
        for (int k = 0; k < cells.Length; k++) full[cells[k]] = r[k];
        var zFull = Enumerable.Repeat(double.NaN, grid.CellCount).ToArray();
        cycle.Apply(full, 2, zFull);
        var onCells = new HashSet<int>(cells);
        for (int i = 0; i < grid.CellCount; i++) Assert.That(zFull[i], Is.EqualTo(onCells.Contains(i) ? z[Array.BinarySearch(cells, i)] : 0));
        var a = ReducedSystem.FromGrid(grid).Matrix;
        Assert.That(ProductResidual.Relative(a, [.. r.Select(v => 2 * v)], z), Is.LessThan(1e-10), "z = 2 A^-1 r");
    }

    [Test]
    public void ALearnedSmootherKeepsItsCycle()
    {
        // per-cell SOR weights are a cycle's: a narrow domain bound with them is coarsened as before
        var grid = PoissonDomains.Channel(24, 24, 24, 1, offset: 1);
        var weights = new[] { Enumerable.Repeat(1.2f, grid.CellCount).ToArray() };
        var cycle = new AggregateMultigrid(grid, grid.UnknownCells, 1, AggregateMultigrid.DefaultGalerkinScale, 1, weights, null);
        Assert.That(cycle.SolvedByFactor, Is.False);
    }

    /// <summary>A channel's operator with each open face's coefficient drawn in [0.1, 1], and one face closed midway, so
    /// the far part has no air (singular) beside the part that has.</summary>
    static VoxelOperator ChannelWithFaces(out int closedCell)
    {
        var op = VoxelOperator.FromGrid(PoissonDomains.Channel(24, 20, 22, 1, offset: 1));
        var random = new Random(11);
        double[] Drawn(double[] faces) => [.. faces.Select(f => f == 0 ? 0 : 0.1 + 0.9 * random.NextDouble())];
        var (fx, fy, fz) = (Drawn(op.FaceX), Drawn(op.FaceY), Drawn(op.FaceZ));
        closedCell = Array.FindIndex(fx, f => f > 0) + 40; // along a row of the channel
        while (fx[closedCell] == 0) closedCell++;
        fx[closedCell] = 0;
        return new VoxelOperator(op.Nx, op.Ny, op.Nz, fx, fy, fz, op.Dirichlet);
    }

    [Test]
    public void AVoxelOperatorsNarrowUnknownsAreFactoredWithTheirFaces()
    {
        var op = ChannelWithFaces(out _);
        var unknowns = ReducedSystem.FromOperator(op);
        var cells = unknowns.Active ?? [.. Enumerable.Range(0, op.CellCount)];
        var factor = NarrowDomain.Factor(op, cells, CellLevel.DiagonalOf(op));
        Assert.That(factor, Is.Not.Null);
        var a = unknowns.Matrix;
        var y = RandomVector.Centred(cells.Length, 13);
        var b = new double[y.Length];
        a.Multiply(y, b); // consistent on the part without air too
        var x = new double[b.Length];
        factor!.Solve(b, x);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThan(1e-9));
        Assert.That(new AggregateMultigrid(op, unknowns).SolvedByFactor);
        Assert.That(new AggregateMultigrid(op, unknowns, AggregateMultigrid.OperatorSweeps, AggregateMultigrid.DefaultGalerkinScale, cellsAsLevel: true).SolvedByFactor,
            Is.False, "the device's reference keeps the cells as a level");
    }

    [Test]
    public void TheOperatorsUnknownsAreCheckedOnTheNarrowPathToo()
    {
        // another operator's unknowns: cells with no diagonal in this one would be zero pivots, a wrong solve in silence
        var op = VoxelOperator.FromGrid(PoissonDomains.Channel(24, 24, 24, 1, offset: 1));
        var other = ReducedSystem.FromOperator(VoxelOperator.FromGrid(PoissonDomains.Channel(24, 24, 24, 2, offset: 1)));
        Assert.That(() => new AggregateMultigrid(op, other), Throws.ArgumentException.With.Message.Contains("the unknowns are not this operator's"));
    }

    [Test]
    public void AWideRegionTheProbesMissIsDeclinedByTheOrderingSearch()
    {
        // a channel one cell across at 96^3 with an 8^3 chamber on it, far along the channel from every probe's seed
        var cells = PoissonDomains.Channel(96, 96, 96, 1, offset: 1).Cells.ToArray();
        for (int z = 18; z < 26; z++)
            for (int y = 20; y < 28; y++)
                for (int x = 20; x < 28; x++) cells[x + 96 * (y + 96 * z)] = CellType.Fluid;
        var grid = new PoissonGrid(96, 96, 96, cells);
        Assert.That(NarrowDomain.Factor(grid, grid.UnknownCells), Is.Null);
    }

    [Test]
    public void AnEnvelopeOverTheBudgetIsDeclined()
    {
        // three cells square at 32^3 (turns every few cells), probes and searches let through by a raised budget: the
        // factorisation's work passes 4 x 24 multiply-adds a row partway, and fits 4 x 48
        var grid = PoissonDomains.Channel(32, 32, 32, 3, offset: 1);
        int saved = NarrowDomain.EntriesPerRow;
        try
        {
            NarrowDomain.EntriesPerRow = 24;
            Assert.That(NarrowDomain.Factor(grid, grid.UnknownCells), Is.Null);
            NarrowDomain.EntriesPerRow = 48;
            Assert.That(NarrowDomain.Factor(grid, grid.UnknownCells), Is.Not.Null, "within a larger budget");
        }
        finally { NarrowDomain.EntriesPerRow = saved; }
    }

    [Test]
    public void ManyComponentsAreFactoredWholeAndSolvedInOneIteration()
    {
        var grid = AggregateMultigridTests.Droplets();
        Assert.That(new AggregateMultigrid(grid, ReducedSystem.FromGrid(grid)).SolvedByFactor);
        var b = RightHandSides.Random(grid, 4);
        var x = new double[grid.CellCount];
        var result = new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, new SolverOptions { Tolerance = 1e-8 }).Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.EqualTo(1));
        Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1e-8));
    }

    [Test]
    public void ManySealedComponentsEachLoseOnePivot()
    {
        // every droplet singular: a consistent b is solved, each droplet's pair up to its own constant
        var grid = AggregateMultigridTests.Droplets(around: CellType.Solid);
        var cells = grid.UnknownCells;
        var a = ReducedSystem.FromGrid(grid).Matrix;
        var y = RandomVector.Centred(cells.Length, 17);
        var b = new double[y.Length];
        a.Multiply(y, b);
        var x = new double[b.Length];
        NarrowDomain.Factor(grid, cells)!.Solve(b, x);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThan(1e-12));
        for (int k = 0; k < cells.Length; k += 2) Assert.That(x[k] - x[k + 1], Is.EqualTo(y[k] - y[k + 1]).Within(1e-12));
    }

    [Test]
    public void APressureSolverRebindsBetweenANarrowDomainAndA3DOne()
    {
        var channel = PoissonDomains.Channel(32, 32, 32, 2, offset: 1);
        var tank = PoissonDomains.Named("tank", 32, 32, 32, 7);
        using var solver = new PressureSolver(SolveMethod.Dcdm, new SolverOptions { Tolerance = 1e-8 }, Dcdm.Models.ShippedModels.Default());
        foreach (var (grid, iterations) in new[] { (channel, 1), (tank, 3), (channel, 1) })
        {
            solver.Bind(grid);
            var b = RightHandSides.VelocityDivergence(grid, 2);
            var x = new double[grid.CellCount];
            var result = solver.Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1e-8));
            if (iterations == 1) Assert.That(result.Iterations, Is.EqualTo(1));
            else Assert.That(result.Iterations, Is.GreaterThanOrEqualTo(iterations), "the tank through its levels");
        }
    }

    [Test]
    public void TheCommandLineSolvesAChannelByItsFactor()
    {
        string dir = Path.Combine(TestData.TempFolder(), "channel");
        Assert.That(Cli.DcdmProcess.Run("generate", "--domain", "channel", "--size", "24", "--layout", "compact", "-o", dir).code, Is.EqualTo(0));
        foreach (var method in new[] { "pcg-mg", "dcdm" })
        {
            var (code, output, error) = Cli.DcdmProcess.Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"),
                "--flags", Path.Combine(dir, "flags.bin"), "--method", method, "--json");
            Assert.That(code, Is.EqualTo(0), error + output);
            using var json = JsonDocument.Parse(output);
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("Converged"), method);
            Assert.That(json.RootElement.GetProperty("iterations").GetInt32(), Is.EqualTo(1), method);
            Assert.That(json.RootElement.GetProperty("details").GetProperty("levels").GetString(), Does.StartWith("none; the unknowns by their factor"), method);
        }
    }

    [Test]
    public void UnknownsOutOfOrderAreDeclined()
    {
        // the neighbours are paired by walking the cells ascending: any other order is declined, not factored wrong
        var grid = PoissonDomains.Channel(24, 24, 24, 1, offset: 1);
        var cells = grid.UnknownCells.ToArray();
        Assert.That(NarrowDomain.Factor(grid, cells), Is.Not.Null);
        (cells[10], cells[11]) = (cells[11], cells[10]);
        Assert.That(NarrowDomain.Factor(grid, cells), Is.Null);
    }

    [Test]
    public void AShortRowsDotIsVectorOpsDotBitForBit()
    {
        for (int length = 0; length <= 2 * System.Numerics.Vector<double>.Count + 1; length++)
        {
            double[] x = RandomVector.Centred(length, length), y = RandomVector.Centred(length, 100 + length);
            Assert.That(BitConverter.DoubleToInt64Bits(SemidefiniteCholesky.Dot(x, y)), Is.EqualTo(BitConverter.DoubleToInt64Bits(VectorOps.Dot(x, y))), $"length {length}");
        }
    }
}
