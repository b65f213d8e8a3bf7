using Dcdm.Multigrid;
using Dcdm.Gpu.Solvers;

namespace Dcdm.Tests.Gpu;

/// <summary>pcg-mg on the device (float32 K-cycle and steps, double reliable updates) against the CPU pcg-mg, on ILGPU's CPU accelerator.</summary>
public class GpuMultigridConjugateGradientTests : AcceleratorTests
{
    static PoissonGrid Domain(string kind, int n) => kind switch
    {
        "tank" => PoissonDomains.FreeSurfaceTank(n, n, n, 0.6, 1),
        "obstacles" => PoissonDomains.RandomObstacles(n, n, n, 0.15, 1),
        "spheres" => PoissonDomains.Spheres(n, n, n, 6, 1),
        "smoke" => PoissonDomains.SmokeBox(n, n, n),
        _ => PoissonDomains.ClosedBox(n, n, n),
    };

    [TestCase("tank")]
    [TestCase("obstacles")]
    [TestCase("spheres")]
    [TestCase("smoke")]
    [TestCase("box")]
    public void ConvergesOnEveryDomainKindWithinTheCpuIterationsPlusTwo(string kind)
    {
        var grid = Domain(kind, 16);
        var input = new SolverInput(grid.ToCsr(GridMatrixLayout.Compact), grid);
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        var (result, x) = SolveOnBoth(input, b, "pcg-mg");
        Assert.That(result.ResidualHistory, Has.Count.EqualTo(result.Iterations + 1));
        Assert.That(GridResidual.Relative(grid, grid.ToGrid(b), grid.ToGrid(x)), Is.LessThanOrEqualTo(1.01e-6), "the true residual, recomputed here");
    }

    /// <summary>b times 2^-600 and 2^600 on the device (its steps in float32, whose range ends at 2^+-127): solved as b near
    /// 1 and x scaled back by the frame, the same iterations as b itself and x that one's times the power of two.</summary>
    [TestCase(-600)]
    [TestCase(600)]
    public void BFarFromOneSolvesAsBNearOne(int exponent)
    {
        var grid = Domain("tank", 12);
        var input = new SolverInput(grid.ToCsr(GridMatrixLayout.Compact), grid);
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        int e = Math.ILogB(b.Max(Math.Abs));
        b = [.. b.Select(v => Math.ScaleB(v, -e))]; // its largest entry in [1, 2): the scaled b goes in as this b exactly
        using var solver = new SolverCatalog(new GpuSolvers(Device)).Create(SolveMethod.PcgMg, input, new SolverOptions { Tolerance = 1e-6 });
        var (x, y) = (new double[b.Length], new double[b.Length]);
        var want = solver.Solve(b, x);
        var got = solver.Solve(b.Select(v => Math.ScaleB(v, exponent)).ToArray(), y);
        Assert.That(got.Status, Is.EqualTo(SolveStatus.Converged), got.Message);
        Assert.That(got.Iterations, Is.EqualTo(want.Iterations));
        Assert.That(got.Details["b scale"], Does.Contain("x scaled back"));
        Assert.That(want.Details.ContainsKey("b scale"), Is.False);
        Assert.That(y, Is.EqualTo(x.Select(v => Math.ScaleB(v, exponent))), "x = b's x times 2^k, bit for bit");
    }

    /// <summary>
    /// pcg-mg on the CPU and on the device from the same input: the device's converged within the CPU's iterations plus
    /// two (both cycles with P shaped next to air on a grid).
    /// </summary>
    (SolveResult Result, double[] X) SolveOnBoth(SolverInput input, double[] b, string method)
    {
        var options = new SolverOptions { Tolerance = 1e-6 };
        var cpu = new SolverCatalog().Create(SolveMethod.PcgMg, input, options).Solve(b, new double[b.Length]);
        using var solver = new SolverCatalog(new GpuSolvers(Device)).Create(SolveMethod.PcgMg, input, options);
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Method, Does.StartWith(method));
        Assert.That(result.Iterations, Is.LessThanOrEqualTo(cpu.Iterations + 2), $"device {result.Iterations}, cpu {cpu.Iterations}");
        return (result, x);
    }

    /// <summary>A voxel operator with per-face coefficients: the device's pcg-mg on its cells as a CSR level, full-grid and compact layouts.</summary>
    [TestCase("two-phase", false)]
    [TestCase("cut-cell", true)]
    [TestCase("ghost-fluid", false)]
    [TestCase("flat-cells", true)]
    public void ConvergesOnAVoxelOperatorWithinTheCpuIterationsPlusTwo(string family, bool compact)
    {
        var (input, b) = OperatorInput(family, compact);
        var (result, x) = SolveOnBoth(input, b, "pcg-mg (voxel operator");
        Assert.That(result.Details["levels"].Contains("lines along z"), Is.EqualTo(family == "flat-cells"), result.Details["levels"]);
        var ax = new double[b.Length];
        input.Matrix.Multiply(x, ax);
        Assert.That(Math.Sqrt(b.Zip(ax, (u, v) => (u - v) * (u - v)).Sum() / b.Sum(v => v * v)), Is.LessThanOrEqualTo(1.01e-6), "the true residual, recomputed here");
    }

    /// <summary>An operator scaled far outside float's range (faces and diagonals 1e-150, 0 in float32) is solved on the
    /// device as on the CPU, times a power of two that brings its diagonals near 1 (before, the device refused it): the
    /// same iterations as the unit operator and x that one's times 10^150. One whose diagonals float cannot hold even
    /// so (a penalty term of 1e30 on one cell, the rest near 1: their mean stays near 1) is refused, naming the range and
    /// the fix, and pcg-mg's refusal does not send the caller to the device's DCDM, which refuses it too.</summary>
    /// <summary><paramref name="op"/>'s coefficients times <paramref name="by"/>, its Dirichlet terms <paramref name="dirichlet"/>'s where given.</summary>
    static VoxelOperator Times(VoxelOperator op, double by, double[]? dirichlet = null)
    {
        double[] Scaled(double[] values) => [.. values.Select(v => v * by)];
        return new VoxelOperator(op.Nx, op.Ny, op.Nz, Scaled(op.FaceX), Scaled(op.FaceY), Scaled(op.FaceZ), Scaled(dirichlet ?? op.Dirichlet));
    }

    [Test]
    public void TheDeviceScalesAnOperatorFarFromOneAndRefusesOneFloatCannotHold()
    {
        var unit = CoefficientDomains.CutCell(10, 9, 8, 2);
        VoxelOperator Scaled(double by, double[]? dirichlet = null) => Times(unit, by, dirichlet);
        var catalog = new SolverCatalog(new GpuSolvers(Device));
        var model = new Dcdm.Models.KCycleDirectionModel();
        var b = RandomVector.Centred(unit.CellCount, 3).Select((v, i) => unit.Diagonal(i) > 0 ? v : 0).ToArray();
        var penalty = (double[])unit.Dirichlet.Clone();
        penalty[Array.FindIndex(penalty, d => d > 0)] = 1e30;
        foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
        {
            var options = new SolverOptions { Tolerance = 1e-6 };
            using var onUnit = catalog.CreateForOperator(method, unit, options, model);
            using var onFar = catalog.CreateForOperator(method, Scaled(1e-150), options, model);
            var (x, y) = (new double[b.Length], new double[b.Length]);
            var want = onUnit.Solve(b, x);
            var got = onFar.Solve(b, y);
            Assert.That(got.Status, Is.EqualTo(SolveStatus.Converged), $"{method}: {got.Message}");
            Assert.That(got.Iterations, Is.EqualTo(want.Iterations), $"{method}");
            Assert.That(got.Details["scale"], Does.Contain("x scaled back"), $"{method}");
            Assert.That(y, Is.EqualTo(x.Select(v => v * 1e150)).Within(1e-4).Percent, $"{method}: x = the unit operator's times 10^150");
            Assert.That(ProductResidual.Relative(Scaled(1e-150).ToCsr(), b, y), Is.LessThanOrEqualTo(1.01e-6), $"{method}");

            var refused = Assert.Throws<InvalidSystemException>(() => catalog.CreateForOperator(method, Scaled(1, penalty), model: model));
            Assert.That(refused!.Message, Does.Contain("diagonals lie from").And.Contain("outside the 5.42e-20 to 1.84e+19")
                .And.Contain("multiply A and b by one factor"), $"{method}");
            Assert.That(refused.Message, Does.Not.Contain("dcdm on the device"), $"{method}: the device's DCDM refuses these too");
        }
    }

    /// <summary>The same through the catalog's Create with the operator's compact matrix and flags (as `dcdm solve
    /// --device` reads a file): the scaled solver takes the compact vectors, and x solves the caller's matrix.</summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void ACompactInputFarFromOneIsScaledOnTheDevice(SolveMethod method)
    {
        var op = Times(CoefficientDomains.CutCell(10, 9, 8, 2), Math.ScaleB(1, -600));
        var cells = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) > 0).ToArray();
        var flags = new PoissonGrid(10, 9, 8, [.. Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? CellType.Fluid : CellType.Solid)]);
        var input = new SolverInput(op.ToCsr().Submatrix(cells), flags, op);
        var b = RandomVector.Centred(cells.Length, 5);
        using var solver = new SolverCatalog(new GpuSolvers(Device)).Create(method, input, new SolverOptions { Tolerance = 1e-6 }, new Dcdm.Models.KCycleDirectionModel());
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details["scale"], Does.Contain("x scaled back"));
        Assert.That(ProductResidual.Relative(input.Matrix, b, x), Is.LessThanOrEqualTo(1.01e-6));
    }

    /// <summary>
    /// BUG: an operator far from 1 whose contrast float cannot hold (diagonals near 2^-500 with one penalty 1e30 times
    /// theirs) is refused by the device solver made for it times 2^500, and the refusal names that operator's diagonals
    /// (near 1 to 1e+30), not the caller's, and tells the caller to bring them near 1 by one factor, which the catalog
    /// already did. The refusal should name the diagonals the caller gave.
    /// </summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void ARefusalOfAScaledOperatorNamesTheCallersDiagonals(SolveMethod method)
    {
        var unit = CoefficientDomains.CutCell(10, 9, 8, 2);
        var penalty = (double[])unit.Dirichlet.Clone();
        penalty[Array.FindIndex(penalty, d => d > 0)] = 1e30;
        var op = Times(unit, Math.ScaleB(1, -500), penalty);
        double largest = Enumerable.Range(0, op.CellCount).Max(op.Diagonal);
        var refused = Assert.Throws<InvalidSystemException>(() =>
            new SolverCatalog(new GpuSolvers(Device)).CreateForOperator(method, op, model: new Dcdm.Models.KCycleDirectionModel()));
        Assert.That(refused!.Message, Does.Contain("diagonals lie from"), "refused for its contrast");
        Assert.That(refused.Message, Does.Contain(largest.ToString("g3", System.Globalization.CultureInfo.InvariantCulture)),
            "the caller's largest diagonal, not the scaled operator's");
    }

    /// <summary>
    /// A density ratio of 10^8: the device pcg-mg's float32 steps lose the small coefficients (a step's p.Ap came out
    /// negative, reported as NotPositiveDefinite), so it refuses the operator naming the span and what runs it; the
    /// device's DCDM, its iteration in double, converges on it.
    /// </summary>
    [Test]
    public void PcgMgRefusesWhatFloat32StepsCannotBearAndDcdmSolvesIt()
    {
        var op = CoefficientDomains.TwoPhase(10, 10, 10, 1e8, 2);
        var b = RandomVector.Centred(op.CellCount, 1).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        var catalog = new SolverCatalog(new GpuSolvers(Device));
        var refused = Assert.Throws<InvalidSystemException>(() => catalog.CreateForOperator(SolveMethod.PcgMg, op));
        Assert.That(refused!.Message, Does.Contain("span 1e+08").And.Contain("dcdm on the device"));
        using var dcdm = catalog.CreateForOperator(SolveMethod.Dcdm, op, new SolverOptions { Tolerance = 1e-8 }, new Dcdm.Models.KCycleDirectionModel());
        var x = new double[b.Length];
        var result = dcdm.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(op.ToCsr(), b, x), Is.LessThanOrEqualTo(1.01e-8));
        Assert.That(() => catalog.CreateForOperator(SolveMethod.PcgMg, CoefficientDomains.TwoPhase(10, 10, 10, 1e6, 2)).Dispose(), Throws.Nothing, "10^6: still taken");
    }

    /// <summary>A 12^3 voxel operator of the family as the catalog's input (its full-grid matrix, or the compact one with
    /// flags naming its unknowns) and a random b on its rows.</summary>
    static (SolverInput Input, double[] B) OperatorInput(string family, bool compact)
    {
        var op = family == "two-phase" ? CoefficientDomains.TwoPhase(12, 12, 12, 100, 2) : CoefficientDomains.Named(family, 12, 12, 12, 2);
        var full = op.ToCsr();
        var cells = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) > 0).ToArray();
        var flags = new PoissonGrid(12, 12, 12, [.. Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? CellType.Fluid : CellType.Solid)]);
        var input = compact ? new SolverInput(full.Submatrix(cells), flags, op) : new SolverInput(full, null, op);
        var rng = new Random(3);
        return (input, [.. Enumerable.Range(0, input.Matrix.Rows).Select(i => input.Matrix.RowHasNonZero(i) ? rng.NextDouble() - 0.5 : 0)]);
    }

    /// <summary>DCDM through the device's catalog on a voxel operator, full-grid and compact layouts: its K-cycle as the
    /// direction, x solving the input's matrix; a learned model refused with the reason.</summary>
    [TestCase("two-phase", false)]
    [TestCase("cut-cell", true)]
    public void DcdmThroughTheCatalogOnAVoxelOperatorInEitherLayout(string family, bool compact)
    {
        var (input, b) = OperatorInput(family, compact);
        using var dcdm = new SolverCatalog(new GpuSolvers(Device)).Create(SolveMethod.Dcdm, input, new SolverOptions { Tolerance = 1e-6 }, new Dcdm.Models.KCycleDirectionModel());
        var x = new double[b.Length];
        var solved = dcdm.Solve(b, x);
        Assert.That((solved.Status, solved.Method, solved.Fallback), Is.EqualTo((SolveStatus.Converged, "dcdm", (FallbackReport?)null)), solved.Message);
        Assert.That(solved.Details["device"], Is.EqualTo(Device.Name));
        var ax = new double[b.Length];
        input.Matrix.Multiply(x, ax);
        Assert.That(Math.Sqrt(b.Zip(ax, (u, v) => (u - v) * (u - v)).Sum() / b.Sum(v => v * v)), Is.LessThanOrEqualTo(1.01e-6), "the true residual, recomputed here");
        var learned = Assert.Throws<InvalidSystemException>(() => new SolverCatalog(new GpuSolvers(Device)).Create(SolveMethod.Dcdm, input, null, Dcdm.Models.VCycleDirectionModel.Shipped()));
        Assert.That(learned!.Message, Does.Contain("reads cell flags").And.Contain("K-cycle"));
    }

    [Test]
    public void ReliableUpdatesCarryItToTolerancesFloat32StepsCannotReach()
    {
        var grid = PoissonDomains.FreeSurfaceTank(12, 10, 14, 0.6, 3);
        var b = RightHandSides.Random(grid, 2);
        var (solver, x, result) = ConvergedFromZero(grid, b, 1e-10);
        using var _ = solver;
        Assert.That(result.ResidualReplacements, Is.GreaterThan(0));
        Assert.That(GridResidual.Relative(grid, b, x), Is.LessThanOrEqualTo(1.01e-10));

        // a warm start from the answer needs no iteration; a limit of 2 stops with MaxIterations and a true residual
        var again = solver.Solve(b, x, SolveSettings.FromGuess);
        Assert.That((again.Status, again.Iterations), Is.EqualTo((SolveStatus.Converged, 0)));
        var capped = solver.Solve(b, new double[grid.CellCount], new SolveSettings { MaxIterations = 2 });
        Assert.That((capped.Status, capped.Iterations), Is.EqualTo((SolveStatus.MaxIterations, 2)), capped.Message);
        Assert.That(capped.RelativeResidual, Is.GreaterThan(1e-10).And.LessThan(1));
    }

    /// <summary>The device pcg-mg on a grid, solved from x = 0 to the tolerance: the solver stays the caller's to reuse and dispose.</summary>
    (GpuMultigridConjugateGradient Solver, double[] X, SolveResult Result) ConvergedFromZero(PoissonGrid grid, double[] b, double tolerance)
    {
        var solver = new GpuMultigridConjugateGradient(Device, grid, new SolverOptions { Tolerance = tolerance });
        var x = new double[grid.CellCount];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        return (solver, x, result);
    }

    /// <summary>
    /// A warm start just above a tighter tolerance: the first step meets the recurrence's target with a small reduction,
    /// and the true residual that agrees with it is progress, not the float32 steps stalling.
    /// </summary>
    [Test]
    public void AWarmStartJustAboveTheToleranceConverges()
    {
        var grid = PoissonDomains.RandomObstacles(12, 12, 12, 0.15, 4);
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var (solver, x, first) = ConvergedFromZero(grid, b, 1e-6);
        using var _ = solver;
        foreach (double factor in new[] { 1.2, 1.5, 3 })
        {
            var start = (double[])x.Clone();
            double tol = first.RelativeResidual / factor;
            var again = solver.Solve(b, start, new SolveSettings { WarmStart = true, Tolerance = tol });
            Assert.That(again.Status, Is.EqualTo(SolveStatus.Converged), $"tolerance {tol:g3}: {again.Message}");
            Assert.That(again.Iterations, Is.InRange(1, 4));
            Assert.That(GridResidual.Relative(grid, b, start), Is.LessThanOrEqualTo(tol * 1.01));
        }
    }
}
