using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Solvers;

namespace Dcdm.Tests.Gpu;

public class GpuGridConjugateGradientTests : AcceleratorTests
{

    /// <summary>||b - A x|| / ||b|| on the unknowns, in double on the host.</summary>
    static double TrueResidual(PoissonGrid g, double[] b, double[] x) => GridResidual.Relative(g, b, x);

    static IEnumerable<TestCaseData> Domains()
    {
        // nx 14 and 10: rows padded to whole quads
        yield return new TestCaseData("tank", 1e-6);
        yield return new TestCaseData("obstacles", 1e-6);
        yield return new TestCaseData("tank", 1e-10);
        yield return new TestCaseData("closed", 1e-9);
        // rows of whole quads (nx % 4 == 0): nothing padded
        yield return new TestCaseData("tank16", 1e-6);
        yield return new TestCaseData("obstacles12", 1e-6);
        yield return new TestCaseData("tank16", 1e-10);
        yield return new TestCaseData("closed12", 1e-9);
    }

    static PoissonGrid Domain(string name) => name switch
    {
        "tank" => PoissonDomains.FreeSurfaceTank(14, 12, 13, 0.6, seed: 3),
        "obstacles" => PoissonDomains.RandomObstacles(14, 14, 14, 0.2, seed: 2),
        "tank16" => PoissonDomains.FreeSurfaceTank(16, 12, 13, 0.6, seed: 3),
        "obstacles12" => PoissonDomains.RandomObstacles(12, 14, 14, 0.2, seed: 2),
        "closed12" => PoissonDomains.ClosedBox(12, 9, 8),
        _ => PoissonDomains.ClosedBox(10, 9, 8),
    };

    [TestCaseSource(nameof(Domains))]
    public void ReachesTheToleranceOnTheTrueResidualAndAgreesWithCpuCg(string name, double tol)
    {
        var g = Domain(name);
        var b = RightHandSides.Random(g, 1);
        var options = new SolverOptions { Tolerance = tol };
        using var solver = new GpuGridConjugateGradient(Device, g, options, chunk: 5);
        var x = new double[g.CellCount];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.RelativeResidual, Is.LessThanOrEqualTo(tol));
        Assert.That(TrueResidual(g, b, x), Is.LessThanOrEqualTo(tol * 1.01));
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));

        var a = g.ToCsr(GridMatrixLayout.FullGrid);
        var xCpu = new double[g.CellCount];
        var cpu = new ConjugateGradient(a, PreconditionerKind.None, options).Solve(b, xCpu);
        // float32 steps with reliable updates: close to double CG's count, not equal
        Assert.That(result.Iterations, Is.InRange(cpu.Iterations * 0.8, cpu.Iterations * 1.3 + 3), $"gpu {result.Iterations}, cpu {cpu.Iterations}");
        double scale = xCpu.Max(Math.Abs);
        Assert.That(x, Is.EqualTo(xCpu).Within(100 * tol * scale));
        if (name.StartsWith("closed")) Assert.That(result.Projection!.SingularComponents, Is.EqualTo(1));
    }

    /// <summary>
    /// nx % 4 != 0 runs on rows padded with solid cells: the same x and iterations as the same fluid embedded in a
    /// grid of whole quads with solid columns added, and CPU CG's x on the grid's own matrix.
    /// </summary>
    [TestCase(10)]
    [TestCase(7)]
    public void RowsThatAreNotWholeQuadsArePaddedAndSolveTheSameSystem(int nx)
    {
        var g = PoissonDomains.RandomObstacles(nx, 9, 8, 0.2, seed: 5);
        var wide = new PaddedGrid(g.Nx, g.Ny, g.Nz);
        Assert.That(wide.IsPadded);
        var cells = new CellType[wide.Cells]; // solid padding
        wide.Pad<CellType>(g.Cells, cells);
        var embedded = new PoissonGrid(wide.Width, g.Ny, g.Nz, cells);
        var b = RightHandSides.Random(g, 4);
        var bWide = new double[wide.Cells];
        wide.Pad<double>(b, bWide);
        const double tol = 1e-10;
        var options = new SolverOptions { Tolerance = tol };

        using var solver = new GpuGridConjugateGradient(Device, g, options, chunk: 3);
        var x = new double[g.CellCount];
        var result = solver.Solve(b, x);
        using var wideSolver = new GpuGridConjugateGradient(Device, embedded, options, chunk: 3);
        var xWide = new double[wide.Cells];
        var wideResult = wideSolver.Solve(bWide, xWide);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(wideResult.Status, Is.EqualTo(SolveStatus.Converged), wideResult.Message);
        Assert.That(result.Iterations, Is.EqualTo(wideResult.Iterations).Within(2));
        var xBack = new double[g.CellCount];
        wide.Unpad<double>(xWide, xBack);
        double scale = xBack.Max(Math.Abs);
        Assert.That(x, Is.EqualTo(xBack).Within(1e-8 * scale));
        Assert.That(TrueResidual(g, b, x), Is.LessThanOrEqualTo(tol * 1.01));

        var xCpu = new double[g.CellCount];
        var cpu = new ConjugateGradient(g.ToCsr(GridMatrixLayout.FullGrid), PreconditionerKind.None, options).Solve(b, xCpu);
        Assert.That(cpu.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(result.Iterations, Is.InRange(cpu.Iterations * 0.8, cpu.Iterations * 1.3 + 3), $"gpu {result.Iterations}, cpu {cpu.Iterations}");
        Assert.That(x, Is.EqualTo(xCpu).Within(100 * tol * scale));
    }

    [Test]
    public void ReusedSolverAndInitialGuess()
    {
        var g = Domain("tank");
        using var solver = new GpuGridConjugateGradient(Device, g, new SolverOptions { Tolerance = 1e-8 });
        var b = RightHandSides.VelocityDivergence(g, 2);
        var x = new double[g.CellCount];
        var first = solver.Solve(b, x);
        var again = new double[g.CellCount];
        var second = solver.Solve(b, again);
        Assert.That(second.Iterations, Is.EqualTo(first.Iterations));
        Assert.That(again, Is.EqualTo(x));
        using var warm = new GpuGridConjugateGradient(Device, g, new SolverOptions { Tolerance = 1e-8, UseInitialGuess = true });
        var fromSolution = warm.Solve(b, x);
        Assert.That(fromSolution.Iterations, Is.EqualTo(0), fromSolution.Message);
    }

    [TestCase(7)]
    [TestCase(16)]
    [TestCase(23)]
    public void IterationLimitCancellationAndBadInputAreReported(int limit)
    {
        var g = Domain("obstacles12");
        var b = RightHandSides.Random(g, 3);
        using (var limited = new GpuGridConjugateGradient(Device, g, new SolverOptions { Tolerance = 1e-10, MaxIterations = limit }))
        {
            var x = new double[g.CellCount];
            var r = limited.Solve(b, x);
            Assert.That(r.Status, Is.EqualTo(SolveStatus.MaxIterations), r.Message);
            Assert.That(r.Iterations, Is.EqualTo(limit));
            Assert.That(r.ResidualHistory, Has.Count.EqualTo(limit + 1));
            Assert.That(TrueResidual(g, b, x), Is.EqualTo(r.RelativeResidual).Within(1e-6), "x is the state at the limit");
        }
        using var solver = new GpuGridConjugateGradient(Device, g);
        using var cancel = new CancellationTokenSource();
        cancel.Cancel();
        Assert.That(solver.Solve(b, new double[g.CellCount], cancel.Token).Status, Is.EqualTo(SolveStatus.Cancelled));
        b[g.FluidCells[3]] = double.NaN;
        var bad = solver.Solve(b, new double[g.CellCount]);
        Assert.That(bad.Status, Is.EqualTo(SolveStatus.NotANumber));
        Assert.That(bad.Message, Does.Contain("NaN"));
    }

    [Test]
    public void PerSolveSettingsWarmStartAndStayWithinTheLimitTheDeviceWasSizedFor()
    {
        var g = PoissonDomains.FreeSurfaceTank(8, 8, 8, 0.6, 2);
        using var solver = new GpuGridConjugateGradient(Device, g, new SolverOptions { Tolerance = 1e-8, MaxIterations = 200 });
        var b = RightHandSides.VelocityDivergence(g, 1);
        var x = new double[g.CellCount];
        var cold = solver.Solve(b, x);
        Assert.That(cold.Status, Is.EqualTo(SolveStatus.Converged), cold.Message);
        var warm = solver.Solve(b, x, SolveSettings.FromGuess);
        Assert.That(warm.Iterations, Is.LessThanOrEqualTo(1), "x already solves it");
        Assert.That(GridResidual.Relative(g, b, x), Is.LessThanOrEqualTo(1.01e-8));
        Assert.Throws<ArgumentOutOfRangeException>(() => solver.Solve(b, x, new SolveSettings { MaxIterations = 201 }));
    }
}
