using Dcdm.MatrixMarket;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Tests.Solvers;

public class ConjugateGradientTests
{
    static readonly PreconditionerKind[] Kinds = [PreconditionerKind.None, PreconditionerKind.Jacobi, PreconditionerKind.IncompleteCholesky];

    [Test]
    public void EveryMethodSolvesEverySpdMatrixToAKnownSolution(
        [ValueSource(typeof(TestData), nameof(TestData.SpdMatrices))] string name, [ValueSource(nameof(Kinds))] PreconditionerKind kind)
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix(name));
        var exact = new double[a.Rows];
        var rng = new Random(5);
        for (int i = 0; i < a.Rows; i++) exact[i] = a.RowHasNonZero(i) ? 1 + rng.NextDouble() : 0;
        var b = new double[a.Rows];
        a.Multiply(exact, b);
        var x = new double[a.Rows];
        var result = new ConjugateGradient(a, kind, new SolverOptions { Tolerance = 1e-10 }).Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.RelativeResidual, Is.LessThanOrEqualTo(1e-10));
        Assert.That(ProductResidual.Relative(a, b, x), Is.EqualTo(result.RelativeResidual).Within(1e-3 * result.RelativeResidual + 1e-15), "reported residual is the true one");
        double err = 0, norm = 0;
        for (int i = 0; i < x.Length; i++) { err += (x[i] - exact[i]) * (x[i] - exact[i]); norm += exact[i] * exact[i]; }
        Assert.That(Math.Sqrt(err / norm), Is.LessThan(1e-5), "1138_bus is the worst conditioned (about 1e6): error <= cond * residual");
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));
    }

    [Test]
    public void MethodsAgreeOnTheFluidSystemAndNeedFewerIterationsWithIc0()
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("fluid16_A.mtx"));
        var b = MatrixMarketReader.ReadVector(TestData.Matrix("fluid16_b.mtx"));
        var xs = new Dictionary<PreconditionerKind, double[]>();
        var iterations = new Dictionary<PreconditionerKind, int>();
        foreach (var kind in Kinds)
        {
            var x = new double[a.Rows];
            var r = new ConjugateGradient(a, kind, new SolverOptions { Tolerance = 1e-8 }).Solve(b, x);
            Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged), $"{kind}: {r.Message}");
            xs[kind] = x; iterations[kind] = r.Iterations;
            var solver = new ConjugateGradient(a, kind);
            Assert.That(solver.System.Unknowns, Is.EqualTo(259), "only the fluid cells are unknowns");
            for (int i = 0; i < x.Length; i++) if (!a.RowHasNonZero(i)) Assert.That(x[i], Is.Zero);
        }
        Assert.That(xs[PreconditionerKind.Jacobi], Is.EqualTo(xs[PreconditionerKind.None]).Within(1e-5));
        Assert.That(xs[PreconditionerKind.IncompleteCholesky], Is.EqualTo(xs[PreconditionerKind.None]).Within(1e-5));
        Assert.That(iterations[PreconditionerKind.IncompleteCholesky] * 2, Is.LessThanOrEqualTo(iterations[PreconditionerKind.None]));
    }

    [Test]
    public void Ic0NeedsAtMostHalfOfCgsIterationsOnTheLaplacian()
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("lap3D_7pt_n20.mtx"));
        var b = RandomVector(a.Rows, 1);
        var xCg = new double[a.Rows];
        var xIc = new double[a.Rows];
        var cgResult = new ConjugateGradient(a).Solve(b, xCg);
        var icResult = new ConjugateGradient(a, PreconditionerKind.IncompleteCholesky).Solve(b, xIc);
        Assert.That(cgResult.Status, Is.EqualTo(SolveStatus.Converged), cgResult.Message);
        Assert.That(icResult.Status, Is.EqualTo(SolveStatus.Converged), icResult.Message);
        Assert.That(ProductResidual.Relative(a, b, xCg), Is.LessThanOrEqualTo(1e-6));
        Assert.That(ProductResidual.Relative(a, b, xIc), Is.LessThanOrEqualTo(1e-6));
        int cg = cgResult.Iterations, ic = icResult.Iterations;
        Assert.That(ic * 2, Is.LessThanOrEqualTo(cg), $"ic0 {ic}, cg {cg}");
    }

    [Test]
    public void ClosedBoxIsSolvedByProjectingBOntoTheRange()
    {
        var grid = PoissonDomains.ClosedBox(8, 8, 8);
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        var b = RightHandSides.Random(grid, 2); // has a nonzero mean: incompatible as given
        foreach (var kind in Kinds)
        {
            var x = new double[a.Rows];
            var r = new ConjugateGradient(a, kind, new SolverOptions { Tolerance = 1e-8 }).Solve(b, x);
            Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged), $"{kind}: {r.Message}");
            Assert.That(r.Projection, Is.Not.Null);
            Assert.That(r.Projection!.SingularComponents, Is.EqualTo(1));
            Assert.That(r.Projection.RemovedNorm, Is.GreaterThan(0));
            Assert.That(x.Average(), Is.EqualTo(0).Within(1e-12), "zero-mean answer");
            double mean = b.Average();
            var projected = b.Select(v => v - mean).ToArray();
            Assert.That(ProductResidual.Relative(a, projected, x), Is.LessThanOrEqualTo(1e-8));
        }
    }

    [Test]
    public void EachClosedPocketIsProjectedOnItsOwn()
    {
        // two fluid pockets separated by a solid wall, one of them open to air
        var cells = new CellType[6 * 4 * 4];
        Array.Fill(cells, CellType.Fluid);
        var grid0 = new PoissonGrid(6, 4, 4, cells);
        for (int z = 0; z < 4; z++) for (int y = 0; y < 4; y++) cells[grid0.Index(3, y, z)] = CellType.Solid;
        for (int y = 0; y < 4; y++) for (int xx = 4; xx < 6; xx++) cells[grid0.Index(xx, y, 3)] = CellType.Air;
        var grid = new PoissonGrid(6, 4, 4, cells);
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        var solver = new ConjugateGradient(a, PreconditionerKind.IncompleteCholesky);
        Assert.That(solver.System.ComponentCount, Is.EqualTo(2));
        Assert.That(solver.System.SingularComponents, Has.Count.EqualTo(1));
        var b = Enumerable.Repeat(1.0, a.Rows).ToArray();
        var x = new double[a.Rows];
        var r = solver.Solve(b, x);
        Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged), r.Message);
        Assert.That(r.Projection!.SingularComponents, Is.EqualTo(1));
    }

    [Test]
    public void IndefiniteMatrixEndsWithNotPositiveDefinite()
    {
        // symmetric, positive diagonal, eigenvalues 3 and -1
        var a = CsrMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0]);
        var r = new ConjugateGradient(a).Solve([1.0, -1.0], new double[2]);
        Assert.That(r.Status, Is.EqualTo(SolveStatus.NotPositiveDefinite), r.Message);
        Assert.That(r.Message, Does.Contain("p.Ap"));

        var negativeDiagonal = CsrMatrix.FromCoordinates(2, 2, [0, 1], [0, 1], [1.0, -1.0]);
        var r2 = new ConjugateGradient(negativeDiagonal, PreconditionerKind.IncompleteCholesky).Solve([1.0, 1.0], new double[2]);
        Assert.That(r2.Status, Is.EqualTo(SolveStatus.NotPositiveDefinite));
        Assert.That(r2.Message, Does.Contain("row 2"));

        // positive diagonal, but IC(0)'s pivot fails even at shift 1: reported by every solve, not thrown by the set-up
        using var ic0 = new ConjugateGradient(a, PreconditionerKind.IncompleteCholesky);
        var x = new double[] { 5, 5 };
        for (int solve = 0; solve < 2; solve++)
        {
            var r3 = ic0.Solve([1.0, -1.0], x);
            Assert.That((r3.Status, r3.Iterations), Is.EqualTo((SolveStatus.NotPositiveDefinite, 0)), r3.Message);
            Assert.That(r3.Message, Does.Contain("IC(0)").And.Contain("pivot of row 2"));
            Assert.That(x, Is.EqualTo(new double[] { 0, 0 }), "x = 0: its residual is b");
            Assert.That(r3.RelativeResidual, Is.EqualTo(1));
        }
        Assert.That(() => new IncompleteCholesky(a), Throws.InstanceOf<NotPositiveDefiniteException>(), "built alone, the factor still throws");

        // an empty first row: the factor runs on the unknowns, the message names the caller's row
        var withEmptyRow = CsrMatrix.FromCoordinates(3, 3, [1, 1, 2, 2], [1, 2, 1, 2], [1.0, 2.0, 2.0, 1.0]);
        var r4 = new ConjugateGradient(withEmptyRow, PreconditionerKind.IncompleteCholesky).Solve([0.0, 1.0, -1.0], new double[3]);
        Assert.That(r4.Status, Is.EqualTo(SolveStatus.NotPositiveDefinite), r4.Message);
        Assert.That(r4.Message, Does.Contain("pivot of row 3"));
        Assert.That(r4.Details["unknowns"], Does.StartWith("2 of 3 rows"));
    }

    [Test]
    public void NonSymmetricAndNonSquareMatricesAreRefused()
    {
        var nonsym = CsrMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [2.0, 1.0, 0.5, 2.0]);
        Assert.That(Assert.Throws<InvalidSystemException>(() => new ConjugateGradient(nonsym))!.Message, Does.Contain("not symmetric"));
        var rect = CsrMatrix.FromCoordinates(2, 3, [0], [0], [1.0]);
        Assert.That(Assert.Throws<InvalidSystemException>(() => new ConjugateGradient(rect))!.Message, Does.Contain("square"));
    }

    [Test]
    public void IterationLimitCancellationMonitorAndInitialGuess()
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("lap3D_7pt_n20.mtx"));
        var b = RandomVector(a.Rows, 3);

        var limited = new ConjugateGradient(a, options: new SolverOptions { MaxIterations = 5 }).Solve(b, new double[a.Rows]);
        Assert.That(limited.Status, Is.EqualTo(SolveStatus.MaxIterations));
        Assert.That(limited.Iterations, Is.EqualTo(5));

        using var cts = new CancellationTokenSource();
        int seen = 0;
        var options = new SolverOptions { Monitor = info => { seen = info.Iteration; if (info.Iteration == 3) cts.Cancel(); } };
        var cancelled = new ConjugateGradient(a, options: options).Solve(b, new double[a.Rows], cts.Token);
        Assert.That(cancelled.Status, Is.EqualTo(SolveStatus.Cancelled));
        Assert.That(seen, Is.EqualTo(3));

        var x = new double[a.Rows];
        var solver = new ConjugateGradient(a, PreconditionerKind.IncompleteCholesky, new SolverOptions { UseInitialGuess = true, Tolerance = 1e-8 });
        var first = solver.Solve(b, x);
        var again = solver.Solve(b, x); // the converged x is a good guess: zero iterations
        Assert.That(first.Converged && again.Converged, Is.True);
        Assert.That(again.Iterations, Is.EqualTo(0));
    }

    [Test]
    public void ZeroRightHandSideGivesZero()
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix("nos6.mtx"));
        var x = Enumerable.Repeat(5.0, a.Rows).ToArray();
        var r = new ConjugateGradient(a).Solve(new double[a.Rows], x);
        Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(x, Is.All.Zero);
    }

    [Test]
    public void OptionsAreValidatedOnCreation()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SolverOptions { Tolerance = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SolverOptions { Tolerance = 2 });
        Assert.Throws<ArgumentOutOfRangeException>(() => _ = new SolverOptions { MaxIterations = -1 });
    }

    [Test]
    public void Ic0ShiftsTheDiagonalWhenAPivotFails()
    {
        // Kershaw's matrix: SPD, yet IC(0) on its pattern meets a negative pivot without a shift.
        var spd = CsrMatrix.FromCoordinates(4, 4,
            [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
            [0, 1, 3, 0, 1, 2, 1, 2, 3, 0, 2, 3],
            [3.0, -2.0, 2.0, -2.0, 3.0, -2.0, -2.0, 3.0, -2.0, 2.0, -2.0, 3.0]);
        var ic = new IncompleteCholesky(spd);
        Assert.That(ic.Shift, Is.GreaterThan(0));
        var x = new double[4];
        var r = new ConjugateGradient(spd, PreconditionerKind.IncompleteCholesky, new SolverOptions { Tolerance = 1e-10 }).Solve([1.0, 2.0, 3.0, 4.0], x);
        Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged), r.Message);
        Assert.That(r.Details, Does.ContainKey("ic0 diagonal shift"));
    }

    static double[] RandomVector(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
    }
}

/// <summary>The loop names what failed where it failed: a status per reason, not a message to parse.</summary>
public class ConjugateGradientIterationStatusTests
{
    /// <summary>CG kernels on plain arrays for a diagonal matrix, with a preconditioner given as a function.</summary>
    sealed class DiagonalBackend(double[] diagonal, Func<double[], double[], double> precondition) : IVectorBackend<double[]>
    {
        public double ApplyAndDot(double[] p, double[] q)
        {
            double pq = 0;
            for (int i = 0; i < p.Length; i++) { q[i] = diagonal[i] * p[i]; pq += p[i] * q[i]; }
            return pq;
        }
        public double UpdateSolutionAndResidual(double alpha, double[] p, double[] q, double[] x, double[] r)
        {
            double rr = 0;
            for (int i = 0; i < p.Length; i++) { x[i] += alpha * p[i]; r[i] -= alpha * q[i]; rr += r[i] * r[i]; }
            return rr;
        }
        public void Xpay(double[] z, double beta, double[] p) { for (int i = 0; i < p.Length; i++) p[i] = z[i] + beta * p[i]; }
        public int Residuals { get; private set; }
        public double Residual(double[] b, double[] x, double[] r)
        {
            Residuals++;
            double rr = 0;
            for (int i = 0; i < b.Length; i++) { r[i] = b[i] - diagonal[i] * x[i]; rr += r[i] * r[i]; }
            return Math.Sqrt(rr);
        }
        public double Precondition(double[] r, double[] z) => precondition(r, z);
        public double Dot(double[] x, double[] y) => x.Zip(y, (u, v) => u * v).Sum();
        public void Dots(double[] x, ReadOnlySpan<double[]> ys, Span<double> dots) { for (int j = 0; j < ys.Length; j++) dots[j] = Dot(x, ys[j]); }
        public void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<double[]> ps, double[] q)
        {
            for (int j = 0; j < ps.Length; j++) for (int i = 0; i < q.Length; i++) q[i] -= c[j] * ps[j][i];
        }
        public void Copy(double[] from, double[] to) => from.CopyTo(to, 0);
    }

    static KrylovOutcome Run(double[] diagonal, Func<double[], double[], double> precondition, bool flexible = false) =>
        Run(new DiagonalBackend(diagonal, precondition), new double[diagonal.Length], flexible, fromZero: false, new List<double>());

    static KrylovOutcome Run(DiagonalBackend backend, double[] x, bool flexible, bool fromZero, List<double> history)
    {
        int n = x.Length;
        var b = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
        double bNorm = Math.Sqrt(b.Sum(v => v * v));
        return ConjugateGradientIteration.Run(backend, b, x, new double[n], new double[n], new double[n], new double[n],
            bNorm, new SolverOptions { Tolerance = 1e-10 }, history, CancellationToken.None, flexible, fromZero);
    }

    [Test]
    public void FromZeroTheLoopStartsFromBWithoutAProductAndEndsAsFromAZeroGuess()
    {
        double[] d = [1, 2, 3, 4, 5, 6];
        var runs = new[] { false, true }.Select(fromZero =>
        {
            var backend = new DiagonalBackend(d, (r, z) => Scaled(r, z, 1));
            var (x, history) = (new double[d.Length], new List<double>());
            var outcome = Run(backend, x, flexible: false, fromZero, history);
            return (outcome, x, history, backend.Residuals);
        }).ToArray();
        Assert.That(runs[1].outcome.Status, Is.EqualTo(SolveStatus.Converged), runs[1].outcome.Message);
        Assert.That((runs[1].outcome.Iterations, runs[1].x, runs[1].history), Is.EqualTo((runs[0].outcome.Iterations, runs[0].x, runs[0].history)));
        Assert.That(runs[1].Residuals, Is.EqualTo(runs[0].Residuals - 1), "the starting residual without a product; the final true residual kept");
        Assert.That(runs[1].Residuals, Is.EqualTo(1));
    }

    static double Scaled(double[] r, double[] z, double s)
    {
        double rz = 0;
        for (int i = 0; i < r.Length; i++) { z[i] = s * r[i]; rz += r[i] * z[i]; }
        return rz;
    }

    [Test]
    public void ANegativePreconditionerIsIndefinitePreconditioner()
    {
        var outcome = Run([1, 2, 3, 4], (r, z) => Scaled(r, z, -1));
        Assert.That(outcome.Status, Is.EqualTo(SolveStatus.IndefinitePreconditioner), outcome.Message);
        Assert.That(outcome.Iterations, Is.Zero);
    }

    [Test]
    public void NaNInThePreconditionerIsNotANumber()
    {
        var outcome = Run([1, 2, 3, 4], (r, z) => Scaled(r, z, double.NaN));
        Assert.That(outcome.Status, Is.EqualTo(SolveStatus.NotANumber), outcome.Message);
    }

    [Test]
    public void ANegativeEigenvalueIsNotPositiveDefiniteAndAGoodPreconditionerConverges()
    {
        var indefinite = Run([1, -2, 3, 4], (r, z) => Scaled(r, z, 1));
        Assert.That(indefinite.Status, Is.EqualTo(SolveStatus.NotPositiveDefinite), indefinite.Message);
        double[] d = [1, 2, 3, 4];
        var exact = Run(d, (r, z) => { double rz = 0; for (int i = 0; i < r.Length; i++) { z[i] = r[i] / d[i]; rz += r[i] * z[i]; } return rz; });
        Assert.That(exact.Status, Is.EqualTo(SolveStatus.Converged), exact.Message);
        Assert.That(exact.Iterations, Is.EqualTo(1), "the exact inverse as preconditioner: one step");
    }

    [Test]
    public void FlexibleCgKeepsConjugacyWhenThePreconditionerChangesItsDirectionEveryCall()
    {
        // M^-1 = a Jacobi step whose per-entry factors are drawn anew each call: the fixed form's beta = (r.z)/(r.z)_old
        // assumes one M and loses conjugacy; the flexible form's beta = -(z.Ap)/(p.Ap) keeps each direction A-orthogonal
        // to the last and converges in far fewer iterations
        var d = Enumerable.Range(1, 60).Select(i => 1.0 + i * i).ToArray();
        Func<double[], double[], double> Varying(int seed)
        {
            var rng = new Random(seed);
            return (r, z) =>
            {
                double rz = 0;
                for (int i = 0; i < r.Length; i++) { z[i] = (0.3 + 1.4 * rng.NextDouble()) * r[i] / d[i]; rz += r[i] * z[i]; }
                return rz;
            };
        }
        var flexible = Run(d, Varying(7), flexible: true);
        var fixedForm = Run(d, Varying(7));
        Assert.That(flexible.Status, Is.EqualTo(SolveStatus.Converged), flexible.Message);
        Assert.That(flexible.Iterations, Is.LessThan(fixedForm.Iterations * 3 / 4), $"flexible {flexible.Iterations}, fixed {fixedForm.Iterations} ({fixedForm.Status})");
    }
}
