using Dcdm.Sparse;

namespace Dcdm.Tests.Solvers;

/// <summary>The one reliable-update CG loop of the devices, over a plain CPU backend whose steps round to float32.</summary>
public class ReliableUpdateIterationTests
{
    /// <summary>CG steps on r / ||r|| rounded to float32 after each update (as a device's), x and b in double.</summary>
    sealed class FloatSteps(CsrMatrix a, double[] b) : IReliableUpdateBackend
    {
        public readonly double[] X = new double[b.Length];
        readonly double[] _r = new double[b.Length], _p = new double[b.Length], _q = new double[b.Length], _d = new double[b.Length];
        double _rrLast;
        bool _started;
        public int Segments;
        public Func<int, double, double>? BreakDirection; // (iteration, p.q) -> the p.q the loop sees

        public double TrueResidual()
        {
            a.Multiply(X, _q);
            return Math.Sqrt(b.Select((v, i) => (v - _q[i]) * (v - _q[i])).Sum());
        }

        public void StartSegment(double rNorm, int step)
        {
            a.Multiply(X, _q);
            for (int i = 0; i < b.Length; i++) { _r[i] = (float)((b[i] - _q[i]) / rNorm); _d[i] = 0; }
            Segments++;
        }

        public SegmentOutcome Run(int step, int max, double stop, double refresh, Func<int, double, bool> report, CancellationToken cancellation)
        {
            double rr = _r.Sum(v => v * v);
            if (!_started) { Array.Copy(_r, _p, _r.Length); _started = true; }
            else for (int i = 0; i < _p.Length; i++) _p[i] = (float)(_r[i] + rr / _rrLast * _p[i]);
            for (int j = step + 1; j <= max; j++)
            {
                if (cancellation.IsCancellationRequested) return new(SegmentEnd.Cancelled, j - 1, rr);
                a.Multiply(_p, _q);
                double pq = _p.Zip(_q, (u, v) => u * v).Sum();
                if (BreakDirection is not null) pq = BreakDirection(j, pq);
                if (!(pq > 0) || double.IsInfinity(pq)) return ReliableUpdateIteration.BadDirection(pq, j, rr);
                double alpha = rr / pq;
                for (int i = 0; i < _r.Length; i++) { _d[i] += alpha * _p[i]; _r[i] = (float)(_r[i] - alpha * _q[i]); }
                double rrNew = _r.Sum(v => v * v);
                _rrLast = rrNew;
                if (!report(j, rrNew)) return new(SegmentEnd.Reported, j, rrNew);
                if (rrNew <= stop) { _rrLast = rr; return new(SegmentEnd.RecurrenceConverged, j, rrNew); }
                if (rrNew <= refresh) { _rrLast = rr; return new(SegmentEnd.Refresh, j, rrNew); }
                for (int i = 0; i < _p.Length; i++) _p[i] = (float)(_r[i] + rrNew / rr * _p[i]);
                rr = rrNew;
            }
            return new(SegmentEnd.MaxIterations, max, rr);
        }

        public void Correct(double rNorm)
        {
            for (int i = 0; i < X.Length; i++) X[i] += rNorm * _d[i];
        }

        public void Rescale(double c, int step)
        {
            for (int i = 0; i < _p.Length; i++) _p[i] *= c;
            _rrLast *= c * c;
        }
    }

    static (CsrMatrix A, double[] B) System()
    {
        var grid = PoissonDomains.FreeSurfaceTank(12, 12, 12, 0.6, 1);
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        var rng = new Random(2);
        return (a, [.. Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5)]);
    }

    [Test]
    public void ConvergesOnTheTrueResidualThroughSeveralRefreshes()
    {
        var (a, b) = System();
        var backend = new FloatSteps(a, b);
        var history = new List<double>();
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        var outcome = ReliableUpdateIteration.Run(backend, bNorm, 0.01, new SolverOptions { Tolerance = 1e-10 }, history, default);
        Assert.That(outcome.Status, Is.EqualTo(SolveStatus.Converged), outcome.Message);
        Assert.That(backend.TrueResidual() / bNorm, Is.LessThanOrEqualTo(1e-10), "float32 steps alone could not reach 1e-10");
        Assert.That(backend.Segments, Is.GreaterThanOrEqualTo(4), "refreshed every 100x");
        Assert.That(outcome.ResidualReplacements, Is.EqualTo(backend.Segments - 1));
        Assert.That(history, Has.Count.EqualTo(outcome.Iterations + 1), "one entry per iteration and the start");
        Assert.That(history[^1], Is.EqualTo(outcome.RelativeResidual), "the last entry is the true residual");
    }

    [TestCase(0.0, SolveStatus.NotPositiveDefinite, "p.Ap = 0 <= 0 at iteration 7")]
    [TestCase(double.NaN, SolveStatus.NotANumber, "NaN or infinity in p.Ap at iteration 7")]
    public void ABreakdownEndsWithItsStatusAtItsIterationAndXKeepsTheStepsBefore(double pq, SolveStatus status, string message)
    {
        var (a, b) = System();
        var backend = new FloatSteps(a, b) { BreakDirection = (j, v) => j == 7 ? pq : v };
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        var outcome = ReliableUpdateIteration.Run(backend, bNorm, 0.01, new SolverOptions { Tolerance = 1e-10 }, [], default);
        Assert.That(outcome.Status, Is.EqualTo(status));
        Assert.That(outcome.Message, Does.StartWith(message));
        Assert.That(outcome.Iterations, Is.EqualTo(7));
        Assert.That(outcome.RelativeResidual, Is.LessThan(0.5), "six steps' progress is kept");
    }

    [Test]
    public void TheIterationLimitAndCancellationEndWithTheTrueResidual()
    {
        var (a, b) = System();
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        var limited = ReliableUpdateIteration.Run(new FloatSteps(a, b), bNorm, 0.01, new SolverOptions { Tolerance = 1e-10, MaxIterations = 5 }, [], default);
        Assert.That(limited.Status, Is.EqualTo(SolveStatus.MaxIterations));
        Assert.That(limited.Iterations, Is.EqualTo(5));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var stopped = ReliableUpdateIteration.Run(new FloatSteps(a, b), bNorm, 0.01, new SolverOptions { Tolerance = 1e-10 }, [], cancelled.Token);
        Assert.That(stopped.Status, Is.EqualTo(SolveStatus.Cancelled));
        Assert.That(stopped.Iterations, Is.Zero);
        Assert.That(stopped.RelativeResidual, Is.EqualTo(1).Within(1e-12), "x untouched: the true residual is b's");
    }
}
