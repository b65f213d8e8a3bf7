using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Tests.Solvers;

/// <summary>Compact vectors (one per fluid cell) handed to a solver set up on the full grid.</summary>
public class CompactGridSolverTests
{
    /// <summary>The same solver, hiding that it takes vectors on its unknowns: the compact vectors go through the grid.</summary>
    sealed class ThroughTheGrid(ILinearSolver inner) : ILinearSolver
    {
        public string Method => inner.Method;
        public int Size => inner.Size;
        public TimeSpan SetupTime => inner.SetupTime;
        public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default) =>
            inner.Solve(b, x, settings, cancellation);
        public void Dispose() => inner.Dispose();
    }

    static IEnumerable<TestCaseData> Grids()
    {
        // every fluid cell an unknown: the compact vectors are the solver's own
        yield return new TestCaseData(PoissonDomains.Named("pockets", 40, 36, 44, 3), true).SetName("pockets, every fluid cell an unknown");
        var closed = PoissonDomains.Named("slits", 24, 20, 22, 1).CellArray.Select(c => c == CellType.Air ? CellType.Solid : c).ToArray();
        yield return new TestCaseData(new PoissonGrid(24, 20, 22, closed), true).SetName("slits closed at the top: b's mean removed");
        yield return new TestCaseData(PoissonDomains.DamBreak(96, 64, 80, 0.4, 0.5), true).SetName("dam break, over 65,536 unknowns");
        // isolated fluid cells are no unknowns: through the grid
        yield return new TestCaseData(RandomFlags.Grid(2, 0.45, 0.05, 23, 17, 11), false).SetName("random flags with isolated fluid cells");
    }

    [TestCaseSource(nameof(Grids))]
    public void CompactVectorsSolveAsThroughTheGridBitForBit(PoissonGrid grid, bool straight)
    {
        Assert.That(grid.UnknownCells.Length == grid.FluidCount, Is.EqualTo(straight));
        var rng = new Random(3);
        double[] b = [.. Enumerable.Range(0, grid.FluidCount).Select(_ => rng.NextDouble() - 0.5)];
        var options = new SolverOptions { Tolerance = 1e-8 };
        foreach (var method in new[] { SolveMethod.Dcdm, SolveMethod.PcgMg })
        {
            ILinearSolver Inner() => method == SolveMethod.Dcdm ? new DeepConjugateDirections(grid, new KCycleDirectionModel(), options)
                : new ConjugateGradient(grid, null, "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u));
            var direct = new CompactGridSolver(Inner(), grid);
            var through = new CompactGridSolver(new ThroughTheGrid(Inner()), grid);
            Assert.That(direct.TakesItsUnknowns, Is.EqualTo(straight), method.ToString());
            Assert.That(through.TakesItsUnknowns, Is.False);
            double[] x = new double[b.Length], expected = new double[b.Length];
            var result = direct.Solve(b, x);
            var reference = through.Solve(b, expected);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(x, Is.EqualTo(expected), $"{method}: bit for bit");
            Assert.That(result.ResidualHistory, Is.EqualTo(reference.ResidualHistory));
            // the closed regions' means removed alike (||b|| itself is summed over other vectors: to its last bits)
            Assert.That(result.Projection?.SingularComponents, Is.EqualTo(reference.Projection?.SingularComponents));
            Assert.That(result.Projection?.RemovedNorm, Is.EqualTo(reference.Projection?.RemovedNorm));
            Assert.That(result.Projection?.OriginalNorm, Is.EqualTo(reference.Projection?.OriginalNorm).Within(1e-12).Percent);
            if (!grid.HasAir) Assert.That(result.Projection!.SingularComponents, Is.GreaterThan(0), "a closed grid is singular");
            // a warm start from the last x takes the same way
            Assert.That(direct.Solve(b, x, SolveSettings.FromGuess).Iterations, Is.EqualTo(through.Solve(b, expected, SolveSettings.FromGuess).Iterations));
        }
    }
}
