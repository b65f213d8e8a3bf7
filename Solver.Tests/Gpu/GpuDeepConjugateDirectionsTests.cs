using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Solvers;
using Dcdm.Models;

namespace Dcdm.Tests.Gpu;

public class GpuDeepConjugateDirectionsTests : AcceleratorTests
{
    StencilDirectionModel? _stencil;
    StencilDirectionModel Model => _stencil ??= new(ModelFile.Read(TestData.Model("stencil.safetensors")));

    static IEnumerable<TestCaseData> ModelsAndGrids()
    {
        yield return new TestCaseData("stencil", PoissonDomains.FreeSurfaceTank(12, 12, 12, 0.6, seed: 5)).SetArgDisplayNames("stencil, tank 12^3");
        yield return new TestCaseData("vcycle", PoissonDomains.RandomObstacles(12, 12, 12, 0.15, seed: 5)).SetArgDisplayNames("vcycle, obstacles 12^3");
    }

    [TestCaseSource(nameof(ModelsAndGrids))]
    public void AgreesWithTheCpuIteration(string architecture, PoissonGrid grid)
    {
        IDirectionModel model = architecture == "stencil" ? Model : VCycleDirectionModel.Shipped();
        var b = RightHandSides.VelocityDivergence(grid, 2);
        var options = new SolverOptions { Tolerance = 1e-8 };
        var xCpu = new double[grid.CellCount];
        // the device runs the vcycle model's geometric cycle; the CPU's default binding is the aggregate K-cycle
        IDirectionModel cpuModel = model is VCycleDirectionModel vcycle ? new GeometricCycle(vcycle) : model;
        var cpu = new DeepConjugateDirections(grid, cpuModel, options).Solve(b, xCpu);
        using var solver = new GpuDeepConjugateDirections(Device, grid, model, options);
        var xGpu = new double[grid.CellCount];
        var gpu = solver.Solve(b, xGpu);
        Assert.That(gpu.Status, Is.EqualTo(SolveStatus.Converged), gpu.Message);
        Assert.That(gpu.RelativeResidual, Is.LessThanOrEqualTo(1e-8));
        Assert.That(gpu.Iterations, Is.InRange(cpu.Iterations - 1, cpu.Iterations + 1), $"gpu {gpu.Iterations}, cpu {cpu.Iterations}");
        Assert.That(xGpu, Is.EqualTo(xCpu).Within(1e-6 * xCpu.Max(Math.Abs)));
        Assert.That(gpu.ResidualHistory, Has.Count.EqualTo(gpu.Iterations + 1));
        if (architecture == "vcycle") Assert.That(gpu.Fallback, Is.Null, "the vcycle converges by itself here");
    }

    [Test]
    public void AStalledSolveIsFinishedByTheDevicePcgMg()
    {
        var grid = PoissonDomains.RandomObstacles(10, 10, 10, 0.15, seed: 3);
        var b = RightHandSides.Random(grid, 1);
        using var solver = new GpuDeepConjugateDirections(Device, grid, Model, new SolverOptions { Tolerance = 1e-7 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var x = new double[grid.CellCount];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details, Does.ContainKey("fallback"));
        Assert.That(result.Message, Does.Contain("device pcg-mg after 2 DCDM iterations"));
        Assert.That(result.Fallback!.Method, Is.EqualTo("device pcg-mg"));
        Assert.That(result.Fallback.AfterIterations, Is.EqualTo(2));
        // the multigrid cycle finishes it in about pcg-mg's own iterations from zero (a few more: another start)
        using var mg = new GpuMultigridConjugateGradient(Device, grid, new SolverOptions { Tolerance = 1e-7 });
        var alone = mg.Solve(b, new double[grid.CellCount]);
        Assert.That(result.Fallback.Iterations, Is.LessThanOrEqualTo(alone.Iterations + 5), $"pcg-mg alone {alone.Iterations}");
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));
        Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1.01e-7));
    }

    [Test]
    public void TheFallbackIsSetUpOnceAndKeepsTheIterationLimit()
    {
        var grid = PoissonDomains.RandomObstacles(10, 10, 10, 0.15, seed: 3);
        var b = RightHandSides.Random(grid, 1);
        using var solver = new GpuDeepConjugateDirections(Device, grid, Model, new SolverOptions { Tolerance = 1e-7 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var first = solver.Solve(b, new double[grid.CellCount]);
        var second = solver.Solve(b, new double[grid.CellCount]); // the kept device pcg-mg, same answer
        Assert.That(second.Status, Is.EqualTo(SolveStatus.Converged), second.Message);
        Assert.That(second.Iterations, Is.EqualTo(first.Iterations));
        Assert.That(second.Details["fallback iterations"], Is.EqualTo(first.Details["fallback iterations"]));

        // a limit below what the fallback needs: DCDM's iterations plus the fallback's stay within it
        int limit = first.Iterations - 3;
        using var limited = new GpuDeepConjugateDirections(Device, grid, Model, new SolverOptions { Tolerance = 1e-7, MaxIterations = limit }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var capped = limited.Solve(b, new double[grid.CellCount]);
        Assert.That(capped.Status, Is.EqualTo(SolveStatus.MaxIterations), capped.Message);
        Assert.That(capped.Iterations, Is.EqualTo(limit));
    }

    /// <summary>The device pcg-mg fallback keeps no per-iteration arrays: a solve may allow more iterations than the solver was made with.</summary>
    [Test]
    public void ASolveMayAskForMoreIterationsThanTheSolverWasMadeWith()
    {
        var grid = PoissonDomains.RandomObstacles(8, 8, 8, 0.15, seed: 3);
        using var solver = new GpuDeepConjugateDirections(Device, grid, Model, new SolverOptions { MaxIterations = 3 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var b = RightHandSides.Random(grid, 1);
        Assert.That(solver.Solve(b, new double[b.Length]).Status, Is.EqualTo(SolveStatus.MaxIterations));
        var result = solver.Solve(b, new double[b.Length], new SolveSettings { MaxIterations = 200 });
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Fallback!.Iterations, Is.GreaterThan(1));
    }

    /// <summary>
    /// A voxel operator with per-face coefficients: the device's DCDM takes its K-cycle as the direction, as the CPU's
    /// does (the device relaxes the cells as a CSR level, the CPU on the faces: the same cycle, float32 on both), so
    /// the two take the same iterations within one and agree on x.
    /// </summary>
    [TestCase("two-phase", null)]
    [TestCase("cut-cell", null)]
    [TestCase("ghost-fluid", null)]
    [TestCase("flat-cells", null)]
    [TestCase("two-phase", 1)]
    public void AgreesWithTheCpuIterationOnAVoxelOperator(string family, int? sweeps)
    {
        var op = family == "two-phase" ? CoefficientDomains.TwoPhase(12, 11, 13, 100, 3) : CoefficientDomains.Named(family, 12, 11, 13, 3);
        var b = RandomVector.Centred(op.CellCount, 4).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        var options = new SolverOptions { Tolerance = 1e-8 };
        var model = new KCycleDirectionModel(sweeps: sweeps); // one sweep: the model's count reaches the device's cycle
        var xCpu = new double[b.Length];
        var cpu = new DeepConjugateDirections(op, model, options).Solve(b, xCpu);
        using var solver = new GpuDeepConjugateDirections(Device, op, model, options);
        var xGpu = new double[b.Length];
        var gpu = solver.Solve(b, xGpu);
        Assert.That(gpu.Status, Is.EqualTo(SolveStatus.Converged), gpu.Message);
        Assert.That(gpu.Fallback, Is.Null, "the K-cycle converges by itself here");
        Assert.That(gpu.Iterations, Is.InRange(cpu.Iterations - 1, cpu.Iterations + 1), $"gpu {gpu.Iterations}, cpu {cpu.Iterations}");
        Assert.That(gpu.ResidualHistory, Has.Count.EqualTo(gpu.Iterations + 1));
        Assert.That(xGpu, Is.EqualTo(xCpu).Within(1e-6 * xCpu.Max(Math.Abs)));
        Assert.That(OperatorResidual(op, b, xGpu), Is.LessThanOrEqualTo(1.01e-8), "the true residual, recomputed here");
        Assert.That(gpu.Details["model"], Does.StartWith(model.DescriptionOnFaces).And.EndWith($"(on {Device.Name})"));
        Assert.That(xGpu.Where((_, i) => !(op.Diagonal(i) > 0)), Is.All.EqualTo(0), "x is 0 off the unknowns");
        Assert.That(gpu.Details.TryGetValue("lines", out var lines) ? lines : "points", Is.EqualTo(family == "flat-cells" ? "flat cells: lines along z relaxed whole" : "points"));
    }

    /// <summary>On a voxel operator a stalled solve goes to the device's pcg-mg on the same operator, which finishes it.</summary>
    [Test]
    public void AStalledSolveOnAVoxelOperatorIsFinishedByTheDevicePcgMg()
    {
        var op = CoefficientDomains.TwoPhase(10, 10, 10, 1000, 5);
        var b = RandomVector.Centred(op.CellCount, 2).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        using var solver = new GpuDeepConjugateDirections(Device, op, new KCycleDirectionModel(), new SolverOptions { Tolerance = 1e-7 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That((result.Fallback?.Method, result.Fallback?.AfterIterations), Is.EqualTo(("device pcg-mg", 2)), result.Message);
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));
        Assert.That(OperatorResidual(op, b, x), Is.LessThanOrEqualTo(1.01e-7));
    }

    /// <summary>Past a face contrast of 10^6 the device pcg-mg's float32 steps break down, so there is no fallback: a
    /// stalled solve ends as a breakdown that says so (not in that pcg-mg's negative p.Ap), and every result names why.</summary>
    [Test]
    public void AStallPastWhatFloat32StepsBearEndsWithoutTheDevicePcgMg()
    {
        var op = CoefficientDomains.TwoPhase(10, 10, 10, 1e8, 2);
        var b = RandomVector.Centred(op.CellCount, 2).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        using var stalling = new GpuDeepConjugateDirections(Device, op, new KCycleDirectionModel(), new SolverOptions { Tolerance = 1e-8 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        var result = stalling.Solve(b, new double[b.Length]);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Breakdown), result.Message);
        Assert.That(result.Message, Does.Contain("stalled").And.Contain("no fallback"));
        Assert.That(result.Fallback, Is.Null);
        Assert.That(result.Details["fallback"], Does.StartWith("none: the faces' coefficients span 1e+08"));
        using var solver = new GpuDeepConjugateDirections(Device, op, new KCycleDirectionModel(), new SolverOptions { Tolerance = 1e-8 });
        var x = new double[b.Length];
        var solved = solver.Solve(b, x);
        Assert.That(solved.Status, Is.EqualTo(SolveStatus.Converged), solved.Message);
        Assert.That(solved.Details["fallback"], Does.StartWith("none:"));
        Assert.That(OperatorResidual(op, b, x), Is.LessThanOrEqualTo(1.01e-8));
    }

    /// <summary>The fallback runs on the operator the solver was set up with (its device copy), not on face arrays the
    /// caller changed after the set-up.</summary>
    [Test]
    public void TheFallbackSolvesTheOperatorOfTheSetUp()
    {
        var op = CoefficientDomains.TwoPhase(10, 10, 10, 100, 5);
        var original = op.ToCsr();
        var b = RandomVector.Centred(op.CellCount, 2).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        using var solver = new GpuDeepConjugateDirections(Device, op, new KCycleDirectionModel(), new SolverOptions { Tolerance = 1e-7 }) { Stall = new() { Window = 2, Factor = 1e9 } };
        for (int i = 0; i < op.CellCount; i += 2) op.FaceX[i] *= 10; // the caller's next step, written into the same arrays
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That((result.Status, result.Fallback?.Method), Is.EqualTo((SolveStatus.Converged, "device pcg-mg")), result.Message);
        var ax = new double[b.Length];
        original.Multiply(x, ax);
        Assert.That(Math.Sqrt(b.Zip(ax, (u, v) => (u - v) * (u - v)).Sum() / b.Sum(v => v * v)), Is.LessThanOrEqualTo(1.01e-7));
    }

    [Test]
    public void ALearnedModelIsRefusedOnAVoxelOperatorWithTheReason()
    {
        var op = CoefficientDomains.TwoPhase(8, 8, 8, 100, 1);
        var model = VCycleDirectionModel.Shipped();
        var solver = new GpuSolvers(Device).DeepConjugateDirections(op, model, SolverOptions.Default, 2, out string reason);
        Assert.That(solver, Is.Null);
        Assert.That(reason, Does.Contain(model.Description).And.Contain("K-cycle"));
    }

    /// <summary>||b - A x|| / ||b|| with the operator's own CSR matrix, in double.</summary>
    static double OperatorResidual(VoxelOperator op, double[] b, double[] x)
    {
        var ax = new double[b.Length];
        op.ToCsr().Multiply(x, ax);
        return Math.Sqrt(b.Zip(ax, (u, v) => (u - v) * (u - v)).Sum() / b.Sum(v => v * v));
    }

    sealed class GeometricCycle(VCycleDirectionModel model) : IDirectionModel
    {
        public string Description => model.Description + " (geometric cycle)";
        public IDirection Bind(PoissonGrid grid) => model.BindGeometric(grid);
    }
}
