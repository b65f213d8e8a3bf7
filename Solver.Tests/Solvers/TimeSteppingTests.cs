using Dcdm.Models;

namespace Dcdm.Tests.Solvers;

/// <summary>What a CFD time loop needs from a solver made once: warm starts and per-step settings, typed outcomes.</summary>
public class TimeSteppingTests
{
    static readonly PoissonGrid Grid = PoissonDomains.FreeSurfaceTank(20, 20, 20, 0.6, seed: 3);

    [TestCaseSource(typeof(GridMethods), nameof(GridMethods.Cases))]
    public void AWarmStartFromTheLastStepNeedsFewerIterationsAndPerStepSettingsNeedNoRebuild(SolveMethod method)
    {
        var input = new SolverInput(Grid.ToCsr(GridMatrixLayout.Compact), Grid);
        var solver = new SolverCatalog().Create(method, input, new SolverOptions { Tolerance = 1e-6 }, StencilDirectionModel.Shipped());
        var b1 = Grid.ToCompact(RightHandSides.VelocityDivergence(Grid, 1));
        var x = new double[b1.Length];
        var step1 = solver.Solve(b1, x);
        Assert.That(step1.Status, Is.EqualTo(SolveStatus.Converged), step1.Message);

        // the next step's b differs a little; its solution is near the last one
        var b2 = b1.Select((v, i) => v * (1 + 0.01 * Math.Sin(i))).ToArray();
        var cold = solver.Solve(b2, new double[b2.Length]);
        var warm = solver.Solve(b2, x, SolveSettings.FromGuess);
        Assert.That(warm.Status, Is.EqualTo(SolveStatus.Converged), warm.Message);
        Assert.That(warm.Iterations, Is.LessThan(cold.Iterations), $"warm {warm.Iterations}, cold {cold.Iterations}");
        Assert.That(warm.ResidualHistory[0], Is.LessThan(0.1), "the start was the last step's solution");

        // a looser tolerance for one step, then the solver's own again
        var loose = solver.Solve(b2, new double[b2.Length], new SolveSettings { Tolerance = 1e-2 });
        Assert.That(loose.Iterations, Is.LessThan(cold.Iterations));
        Assert.That(loose.RelativeResidual, Is.LessThanOrEqualTo(1e-2));
        var limited = solver.Solve(b2, new double[b2.Length], new SolveSettings { MaxIterations = 2, Tolerance = 1e-12 });
        Assert.That(limited.Status, Is.EqualTo(SolveStatus.MaxIterations));
        Assert.That(limited.Iterations, Is.EqualTo(2));
        var again = solver.Solve(b2, new double[b2.Length]);
        Assert.That(again.Iterations, Is.EqualTo(cold.Iterations), "settings last one solve");
    }

    [Test]
    public void AFallbackIsReportedAsATypedRecord()
    {
        var model = new FixedDirection();
        var solver = new DeepConjugateDirections(Grid, model, new SolverOptions { Tolerance = 1e-7 });
        var b = RightHandSides.VelocityDivergence(Grid, 2);
        var result = solver.Solve(b, new double[b.Length]);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Fallback, Is.Not.Null);
        Assert.That(result.Fallback!.Method, Is.EqualTo("pcg-mg"));
        Assert.That(result.Fallback.AfterIterations + result.Fallback.Iterations, Is.EqualTo(result.Iterations));
        Assert.That(result.Fallback.Reason, Does.Contain("best residual"));
        var shipped = new DeepConjugateDirections(Grid, StencilDirectionModel.Shipped()).Solve(b, new double[b.Length]);
        Assert.That(shipped.Fallback, Is.Null, shipped.Message);
    }

    /// <summary>A direction that ignores r: DCDM stalls.</summary>
    sealed class FixedDirection : IDirectionModel, IDirection
    {
        public string Description => "fixed";
        public IDirection Bind(PoissonGrid grid) => this;
        public void Apply(ReadOnlySpan<float> r, Span<float> q) { for (int i = 0; i < q.Length; i++) q[i] = (float)Math.Cos(0.3 * i); }
    }
}
