using Dcdm.Models;

namespace Dcdm.Tests.Solvers;

public class DeepConjugateDirectionsTests
{
    /// <summary>A stand-in model: q = some function of r.</summary>
    sealed class FunctionModel(string name, Action<float[], float[]> f) : IDirectionModel
    {
        public string Description => name;
        public IDirection Bind(PoissonGrid grid) => new Bound(f);
        sealed class Bound(Action<float[], float[]> f) : IDirection
        {
            public void Apply(ReadOnlySpan<float> r, Span<float> q)
            {
                var output = new float[q.Length];
                f(r.ToArray(), output);
                output.CopyTo(q);
            }
        }
    }

    static readonly PoissonGrid Grid = PoissonDomains.RandomObstacles(12, 12, 12, 0.15, seed: 4);

    static double TrueResidual(double[] b, double[] x)
    {
        var a = Grid.ToCsr(GridMatrixLayout.FullGrid);
        var system = new ReducedSystem(a);
        var rb = new double[system.Unknowns];
        var (_, norm) = system.PrepareRightHandSide(b, rb);
        var ax = new double[b.Length];
        a.Multiply(x, ax);
        var rx = new double[system.Unknowns];
        system.Restrict(ax, rx);
        return Math.Sqrt(rb.Zip(rx, (p, q) => (p - q) * (p - q)).Sum()) / norm;
    }

    [TestCase(SolveMethod.Dcdm)]
    [TestCase(SolveMethod.PcgMg)]
    public void WithoutAGuessASolveIsTheSolveFromAZeroGuessBitForBit(SolveMethod method)
    {
        // the loop starts from r = b without a product when the frame zeroed x; the same iterates as from x = 0 passed in
        var b = RightHandSides.VelocityDivergence(Grid, seed: 2);
        using var solver = new SolverCatalog().CreateForGrid(method, Grid, new SolverOptions { Tolerance = 1e-8 }, new KCycleDirectionModel());
        var (x0, x1) = (new double[b.Length], new double[b.Length]);
        var fromNothing = solver.Solve(b, x0);
        var fromZero = solver.Solve(b, x1, SolveSettings.FromGuess);
        Assert.That(fromNothing.Status, Is.EqualTo(SolveStatus.Converged), fromNothing.Message);
        Assert.That((fromNothing.Iterations, fromNothing.ResidualHistory), Is.EqualTo((fromZero.Iterations, fromZero.ResidualHistory)));
        Assert.That(x0, Is.EqualTo(x1));
    }

    [Test]
    public void TheIdentityModelIsConjugateGradients()
    {
        // q = r, A-orthogonalised against the last direction: exactly CG's directions
        var b = RightHandSides.VelocityDivergence(Grid, 1);
        var model = new FunctionModel("identity", (r, q) => r.CopyTo(q, 0));
        var x = new double[Grid.CellCount];
        var dcdm = new DeepConjugateDirections(Grid, model, new SolverOptions { Tolerance = 1e-8 }) { Stall = new() { Window = 1000 } }.Solve(b, x);
        var cg = new ConjugateGradient(Grid.ToCsr(GridMatrixLayout.FullGrid), options: new SolverOptions { Tolerance = 1e-8 }).Solve(b, new double[Grid.CellCount]);
        Assert.That(dcdm.Status, Is.EqualTo(SolveStatus.Converged), dcdm.Message);
        Assert.That(dcdm.Iterations, Is.InRange(cg.Iterations - 2, cg.Iterations + 2));
        Assert.That(TrueResidual(b, x), Is.LessThanOrEqualTo(1e-8));
    }

    [Test]
    public void NaNAndZeroDirectionsAreReplacedByTheResidualAndCounted()
    {
        var b = RightHandSides.Random(Grid, 2);
        foreach (var model in new[] { new FunctionModel("nan", (r, q) => Array.Fill(q, float.NaN)), new FunctionModel("zero", (r, q) => { }) })
        {
            var x = new double[Grid.CellCount];
            var result = new DeepConjugateDirections(Grid, model, new SolverOptions { Tolerance = 1e-6 }) { Stall = new() { Window = 1000 } }.Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(int.Parse(result.Details["replaced directions"]), Is.EqualTo(result.Iterations), model.Description);
            Assert.That(TrueResidual(b, x), Is.LessThanOrEqualTo(1e-6));
        }
    }

    [Test]
    public void AStallingModelHandsTheSolveToMultigridPcg()
    {
        // a direction that ignores r: after orthogonalisation it barely helps, the residual stalls
        var rng = new Random(3);
        var fixedDirection = Enumerable.Range(0, Grid.CellCount).Select(_ => (float)rng.NextDouble()).ToArray();
        var model = new FunctionModel("fixed", (r, q) => fixedDirection.CopyTo(q, 0));
        var b = RightHandSides.Random(Grid, 4);
        var x = new double[Grid.CellCount];
        var result = new DeepConjugateDirections(Grid, model, new SolverOptions { Tolerance = 1e-7 }).Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details, Does.ContainKey("fallback"));
        Assert.That(result.Message, Does.Contain("pcg-mg after"));
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));
        Assert.That(TrueResidual(b, x), Is.LessThanOrEqualTo(1e-7));
        var mg = new SolverCatalog().Create(SolveMethod.PcgMg, new SolverInput(Grid.ToCsr(GridMatrixLayout.FullGrid), Grid), new SolverOptions { Tolerance = 1e-7 })
            .Solve(b, new double[Grid.CellCount]);
        int fallbackIterations = int.Parse(result.Details["fallback iterations"]);
        int dcdmIterations = int.Parse(System.Text.RegularExpressions.Regex.Match(result.Message, @"after (\d+) DCDM").Groups[1].Value);
        Assert.That(result.Iterations, Is.EqualTo(dcdmIterations + fallbackIterations));
        Assert.That(fallbackIterations, Is.LessThanOrEqualTo(mg.Iterations + 5), "pcg-mg from DCDM's x needs about as many as from zero (5 of slack: a different start)");
    }

    /// <summary>A K-cycle DCDM made to stall at once hands over to pcg-mg on the direction's own cycle (no second
    /// hierarchy); another model's fallback makes one.</summary>
    [Test]
    public void AStalledKCycleFallsBackOnItsOwnCycle()
    {
        var b = RightHandSides.Random(Grid, 5);
        var x = new double[Grid.CellCount];
        var dcdm = new DeepConjugateDirections(Grid, new KCycleDirectionModel(), new SolverOptions { Tolerance = 1e-8 }) { Stall = new() { Window = 1, Factor = 1e9 } };
        var result = dcdm.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details, Does.ContainKey("fallback"));
        Assert.That(TrueResidual(b, x), Is.LessThanOrEqualTo(1e-8));
        Assert.That(dcdm.FallbackCycle, Is.SameAs(((KCycleDirection)dcdm.BoundDirection).Cycle));
        var other = new DeepConjugateDirections(Grid, new FunctionModel("identity", (r, q) => r.CopyTo(q, 0)), new SolverOptions { Tolerance = 1e-8 })
            { Stall = new() { Window = 1, Factor = 1e9 } };
        Assert.That(other.Solve(b, new double[Grid.CellCount]).Details, Does.ContainKey("fallback"));
        Assert.That(other.FallbackCycle, Is.Not.Null);
    }

    /// <summary>What the shipped model must do on a 16^3 tank it never saw (CG: 89 iterations, the shipped model 11,
    /// a noise model 48 through the fallback, a fixed random direction 82): the violations, empty when it does.</summary>
    static List<string> ShippedModelViolations(IDirectionModel model)
    {
        const int bound = 15;
        var grid = PoissonDomains.FreeSurfaceTank(16, 16, 16, 0.7, seed: 9);
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var x = new double[grid.CellCount];
        var result = new DeepConjugateDirections(grid, model, new SolverOptions { Tolerance = 1e-6 }).Solve(b, x);
        var violations = new List<string>();
        if (result.Status != SolveStatus.Converged) violations.Add($"status {result.Status}: {result.Message}");
        if (result.Details.ContainsKey("fallback")) violations.Add($"fell back: {result.Details["fallback"]}");
        if (result.Iterations > bound) violations.Add($"{result.Iterations} iterations, more than {bound}");
        double residual = GridResidual.Relative(grid, b, x);
        if (!(residual <= 1e-6)) violations.Add($"recomputed true residual {residual:e2} above 1e-6");
        return violations;
    }

    [Test]
    public void TheShippedModelSolvesADomainItNeverSaw()
    {
        var model = new StencilDirectionModel(ModelFile.Read(TestData.Model("stencil.safetensors")));
        Assert.That(ShippedModelViolations(model), Is.Empty);
    }

    [Test]
    public void TheShippedModelCheckRejectsUselessModels()
    {
        var rng = new Random(5);
        var noise = new FunctionModel("noise", (r, q) => { for (int i = 0; i < q.Length; i++) q[i] = (float)(rng.NextDouble() - 0.5); });
        var fixedDirection = Enumerable.Range(0, 16 * 16 * 16).Select(_ => (float)rng.NextDouble()).ToArray();
        var constant = new FunctionModel("fixed", (r, q) => fixedDirection.CopyTo(q, 0));
        Assert.That(ShippedModelViolations(noise), Is.Not.Empty, "a model of noise");
        Assert.That(ShippedModelViolations(constant), Is.Not.Empty, "a fixed random direction");
    }

    [Test]
    public void AMatrixOfAnotherGridIsRefused()
    {
        var other = PoissonDomains.SmokeBox(5, 5, 5).ToCsr(GridMatrixLayout.FullGrid);
        var model = new FunctionModel("identity", (r, q) => r.CopyTo(q, 0));
        Assert.Throws<InvalidSystemException>(() => new DeepConjugateDirections(Grid, model, matrix: other));
    }

    [Test]
    public void TheStallTestComparesBestResidualsOverItsWindow()
    {
        var stall = new StallTest { Window = 3, Factor = 2 };
        Assert.That(stall.IsStalled([1, 0.9, 0.8]), Is.False, "fewer iterations than the window");
        Assert.That(stall.IsStalled([1, 0.9, 0.8, 0.7]), Is.True, "0.7 is not 2x below 1");
        Assert.That(stall.IsStalled([1, 0.9, 0.4, 0.8]), Is.False, "the best of the window counts, not the last");
        Assert.That(stall.IsStalled([1, 0.1, 5, 5, 5]), Is.True, "nothing in the window beat 0.1 by 2x");
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new StallTest { Window = 0 });
        Assert.That(stall.Describe(7), Does.Contain("last 3 iterations").And.Contain("2x").And.Contain("iteration 7"));
    }
}
