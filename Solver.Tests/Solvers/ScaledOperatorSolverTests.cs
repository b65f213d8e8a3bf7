using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Tests.Solvers;

/// <summary>
/// An operator whose diagonals lie far from 1 solved as the operator times a power of two, b scaled to near 1, x
/// scaled back: pcg-mg and DCDM through the catalog.
/// </summary>
public class ScaledOperatorSolverTests
{
    static VoxelOperator Times(VoxelOperator op, double s) => new(op.Nx, op.Ny, op.Nz, [.. op.FaceX.Select(c => c * s)], [.. op.FaceY.Select(c => c * s)],
        [.. op.FaceZ.Select(c => c * s)], [.. op.Dirichlet.Select(d => d * s)]);

    static double[] RandomB(VoxelOperator op, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0)];
    }

    /// <summary>The unit operator with b and the scaled one with its b, each solved from zero: the second converges in
    /// the first's iterations with the first's relative residuals.</summary>
    static (SolveResult Unit, double[] UnitX, SolveResult Scaled, double[] ScaledX) SameSolves(SolveMethod method, VoxelOperator unit, double[] b,
        VoxelOperator scaled, double[] scaledB)
    {
        using var reference = Create(method, unit);
        using var onScaled = Create(method, scaled);
        var (want, got) = (new double[b.Length], new double[b.Length]);
        var r0 = reference.Solve(b, want);
        var r1 = onScaled.Solve(scaledB, got);
        Assert.That(r1.Status, Is.EqualTo(SolveStatus.Converged), r1.Message);
        Assert.That(r1.Iterations, Is.EqualTo(r0.Iterations));
        Assert.That(r1.ResidualHistory, Is.EqualTo(r0.ResidualHistory), "the same relative residuals");
        return (r0, want, r1, got);
    }

    static ILinearSolver Create(SolveMethod method, VoxelOperator op) => new SolverCatalog().CreateForOperator(method, op,
        new SolverOptions { Tolerance = 1e-6, MaxIterations = 200 }, method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null);

    /// <summary>
    /// Scaled by 2^900 or 2^-900 (so every scaling on the way is exact), with b scaled by 2^300 or 2^-300 (x about
    /// 2^-600 or 2^600, inside double's range): the same
    /// iterations and residuals as the unit operator with b, and x that one's times the right power of two, bit for bit.
    /// Unscaled, A ~ 2^900 with b ~ 1 made x ~ 2^-900, whose corrections fell below double's normal range.
    /// </summary>
    [TestCase(SolveMethod.PcgMg, 900, 300)]
    [TestCase(SolveMethod.PcgMg, -900, -300)]
    [TestCase(SolveMethod.Dcdm, 900, 300)]
    [TestCase(SolveMethod.Dcdm, -900, -300)]
    public void APowerOfTwoFarFromOneSolvesBitForBitAsTheUnitOperator(SolveMethod method, int operatorExponent, int bExponent)
    {
        var unit = CoefficientDomains.CutCell(16, 15, 14, 5);
        var op = Times(unit, Math.ScaleB(1, operatorExponent));
        var b = RandomB(unit, 3);
        var scaledB = b.Select(v => Math.ScaleB(v, bExponent)).ToArray();
        Assert.That(ScaledOperatorSolver.ScaleOf(op), Is.Not.EqualTo(1), "the operator is far from 1");
        var (r0, want, r1, got) = SameSolves(method, unit, b, op, scaledB);
        Assert.That(r0.Details.ContainsKey("scale"), Is.False, "the unit operator solved as it is");
        Assert.That(r1.Details["scale"], Does.Contain($"times 2^{-operatorExponent - 2}").Or.Contain($"times 2^{-operatorExponent - 3}")
            .Or.Contain($"times 2^{-operatorExponent - 1}"), "the result says how it was scaled");
        var expected = want.Select(v => Math.ScaleB(v, bExponent - operatorExponent)).ToArray();
        Assert.That(got.All(v => double.IsNormal(v) || v == 0), Is.True, "x inside double's normal range");
        Assert.That(got, Is.EqualTo(expected), "x = the unit operator's x times 2^(b's exponent - A's)");
    }

    /// <summary>The scale of the operator, not its contrast: 1 on the per-face families (a density ratio of 1000 among
    /// them), on a tank with one penalty term of 1e40, and within 2^+-40; 2^-e near the diagonals' exponent beyond.</summary>
    [Test]
    public void TheScaleIsThatOfTheDiagonalsNotOfTheirContrast()
    {
        foreach (var family in CoefficientDomains.Families)
            Assert.That(ScaledOperatorSolver.ScaleOf(CoefficientDomains.Named(family, 20, 20, 20, 2)), Is.EqualTo(1), family);
        var tank = VoxelOperator.FromGrid(PoissonDomains.FreeSurfaceTank(20, 20, 20, 0.6, 1));
        var penalty = (double[])tank.Dirichlet.Clone();
        int cell = Enumerable.Range(0, tank.CellCount).First(i => tank.Diagonal(i) > 0);
        penalty[cell] = 1e40;
        Assert.That(ScaledOperatorSolver.ScaleOf(new VoxelOperator(20, 20, 20, tank.FaceX, tank.FaceY, tank.FaceZ, penalty)), Is.EqualTo(1), "one penalty term");
        Assert.That(ScaledOperatorSolver.ScaleOf(Times(tank, Math.ScaleB(1, 35))), Is.EqualTo(1), "within 2^40");
        // the tank's diagonals are 1 to 6: their mean exponent about 2, so 2^-(e + 2) give or take one
        foreach (int e in new[] { 60, -60, 1000, -1000 })
            Assert.That(Math.ILogB(ScaledOperatorSolver.ScaleOf(Times(tank, Math.ScaleB(1, e)))), Is.InRange(-e - 3, -e - 1), $"scaled by 2^{e}");
    }

    /// <summary>A warm start goes in scaled too: the solution handed back as the guess converges at once.</summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AWarmStartFromTheSolutionTakesNoIteration(SolveMethod method)
    {
        var op = Times(CoefficientDomains.GhostFluid(16, 16, 16, 4), 1e300);
        var b = RandomB(op, 9);
        using var solver = Create(method, op);
        var x = new double[b.Length];
        Assert.That(solver.Solve(b, x).Status, Is.EqualTo(SolveStatus.Converged));
        var again = solver.Solve(b, x, SolveSettings.FromGuess);
        Assert.That(again.Status, Is.EqualTo(SolveStatus.Converged), again.Message);
        Assert.That(again.Iterations, Is.Zero, "started from its own solution");
        Assert.That(ProductResidual.Relative(op.ToCsr(), b, x, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-6));
    }

    /// <summary>Every cell its own unknown with the diagonal <paramref name="diagonal"/>(i) (no open face).</summary>
    static VoxelOperator Diagonals(int n, Func<int, double> diagonal) =>
        new(n, n, n, new double[n * n * n], new double[n * n * n], new double[n * n * n], [.. Enumerable.Range(0, n * n * n).Select(diagonal)]);

    /// <summary>The scale is 2^-e, e the diagonals' mean exponent rounded to the nearest, and 1 up to 2^+-40 inclusive.</summary>
    [TestCase(40.0, 0, 0)]
    [TestCase(-40.0, 0, 0)]
    [TestCase(41.0, 0, -41)]
    [TestCase(-41.0, 0, 41)]
    [TestCase(100.0, 0.75, -101)] // 1.5 2^100: log2 100.58, rounded up
    [TestCase(-100.0, 0.75, 99)] // 1.5 2^-100: log2 -99.42, rounded down
    [TestCase(100.0, 12.0, -106)] // half the cells 2^100, half 2^112: their mean exponent
    public void TheScaleIsTheDiagonalsMeanExponentRoundedPastFortyBinades(double exponent, double other, int want)
    {
        // other: 0 every diagonal 2^exponent; below 1 every diagonal 2^exponent times 2 other; above 1, the odd cells 2^(exponent + other)
        var op = Diagonals(8, i => other switch
        {
            0 => Math.ScaleB(1, (int)exponent),
            < 1 => Math.ScaleB(2 * other, (int)exponent),
            _ => Math.ScaleB(1, (int)exponent + (i % 2 == 1 ? (int)other : 0)),
        });
        Assert.That(ScaledOperatorSolver.ScaleOf(op), Is.EqualTo(Math.ScaleB(1, want)));
    }

    /// <summary>A power of two that would take a coefficient out of double's normal range (below it or past it) leaves
    /// the operator as it is (null); within it every coefficient moves by the power exactly.</summary>
    [Test]
    public void TimesAPowerOfTwoKeepsEveryCoefficientNormalOrRefuses()
    {
        var unit = VoxelOperator.FromGrid(PoissonDomains.FreeSurfaceTank(8, 8, 8, 0.6, 1));
        var coefficients = unit.FaceX.Concat(unit.FaceY).Concat(unit.FaceZ).Concat(unit.Dirichlet).Where(c => c != 0).ToArray();
        int least = Math.ILogB(coefficients.Min()), most = Math.ILogB(coefficients.Max());
        var low = unit.TimesPowerOfTwo(Math.ScaleB(1, -1022 - least));
        Assert.That(low, Is.Not.Null, "the least coefficient becomes double's least normal binade");
        Assert.That(low!.FaceX, Is.EqualTo(unit.FaceX.Select(c => Math.ScaleB(c, -1022 - least))));
        Assert.That(low.Dirichlet, Is.EqualTo(unit.Dirichlet.Select(c => Math.ScaleB(c, -1022 - least))));
        Assert.That(unit.TimesPowerOfTwo(Math.ScaleB(1, -1023 - least)), Is.Null, "the least coefficient would be subnormal");
        Assert.That(unit.TimesPowerOfTwo(Math.ScaleB(1, 1023 - most)), Is.Not.Null);
        Assert.That(unit.TimesPowerOfTwo(Math.ScaleB(1, 1024 - most)), Is.Null, "the largest coefficient would overflow");
    }

    /// <summary>An operator far from 1 with one coefficient that no power of two near its diagonals keeps normal (2^-960
    /// among faces near 2^100) still solves, to A's own tolerance.</summary>
    [Test]
    public void AnOperatorWhoseScalingCannotBeExactStillSolves()
    {
        var unit = CoefficientDomains.CutCell(16, 15, 14, 5);
        var faceX = unit.FaceX.Select(c => Math.ScaleB(c, 100)).ToArray();
        faceX[Array.FindIndex(faceX, c => c > 0)] = Math.ScaleB(1, -960);
        var op = new VoxelOperator(16, 15, 14, faceX, [.. unit.FaceY.Select(c => Math.ScaleB(c, 100))], [.. unit.FaceZ.Select(c => Math.ScaleB(c, 100))],
            [.. unit.Dirichlet.Select(c => Math.ScaleB(c, 100))]);
        Assert.That(ScaledOperatorSolver.ScaleOf(op), Is.Not.EqualTo(1));
        var b = RandomB(op, 4);
        var x = new double[b.Length];
        using var solver = Create(SolveMethod.PcgMg, op);
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(op.ToCsr(), b, x, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-6));
    }

    /// <summary>
    /// b far from 1 too (2^-1000, every entry negative) on an operator far from 1 (2^-100): b goes in near 1 as well, so
    /// the solve is the unit operator's bit for bit (unscaled, b's squares underflow to 0) and x = 2^-900 times its x.
    /// </summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void ATinyNegativeBOnAScaledOperatorIsScaledToNearOne(SolveMethod method)
    {
        var unit = CoefficientDomains.CutCell(16, 15, 14, 5);
        var op = Times(unit, Math.ScaleB(1, -100));
        var b = RandomB(unit, 5).Select(v => v == 0 ? 0 : -Math.Abs(v)).ToArray();
        var tiny = b.Select(v => Math.ScaleB(v, -1000)).ToArray();
        var (_, want, r1, got) = SameSolves(method, unit, b, op, tiny);
        int eb = Math.ILogB(tiny.Max(Math.Abs));
        Assert.That(r1.Details["scale"], Does.Contain($"and b times 2^{-eb} "), "b's own power of two");
        Assert.That(got, Is.EqualTo(want.Select(v => Math.ScaleB(v, -900))));
    }

    /// <summary>The solver's set-up time is the scaling's plus the inner solver's, in the property and in each result;
    /// its size is the operator's cells.</summary>
    [Test]
    public void TheSetupTimeCountsTheScaling()
    {
        var op = Times(CoefficientDomains.GhostFluid(12, 12, 12, 2), Math.ScaleB(1, 600));
        double scale = ScaledOperatorSolver.ScaleOf(op);
        var inner = Create(SolveMethod.PcgMg, op.TimesPowerOfTwo(scale)!);
        using var solver = new ScaledOperatorSolver(inner, scale, TimeSpan.FromSeconds(5), warmByDefault: false);
        Assert.That(solver.Size, Is.EqualTo(op.CellCount));
        Assert.That(solver.SetupTime, Is.EqualTo(TimeSpan.FromSeconds(5) + inner.SetupTime));
        var b = RandomB(op, 2);
        var result = solver.Solve(b, new double[b.Length]);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.SetupTime, Is.EqualTo(solver.SetupTime));
    }

    /// <summary>A warm start the solver's options ask for (not the settings) goes in scaled too.</summary>
    [Test]
    public void AWarmStartTheOptionsAskForIsScaledIn()
    {
        var op = Times(CoefficientDomains.GhostFluid(12, 12, 12, 4), 1e-300);
        var b = RandomB(op, 9);
        using var solver = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, new SolverOptions { Tolerance = 1e-6, UseInitialGuess = true });
        var x = new double[b.Length];
        Assert.That(solver.Solve(b, x).Status, Is.EqualTo(SolveStatus.Converged));
        var again = solver.Solve(b, x);
        Assert.That(again.Status, Is.EqualTo(SolveStatus.Converged), again.Message);
        Assert.That(again.Iterations, Is.Zero, "started from its own solution");
    }

    /// <summary>The catalog's Create with an operator and its full-grid matrix: the scaled solve runs on the scaled
    /// operator's own matrix (the caller's is the unscaled one's), so x is that of the operator given alone.</summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AnOperatorWithItsMatrixSolvesAsTheOperatorAlone(SolveMethod method)
    {
        // half the cells solid, spread over the grid: the box is the whole grid and the product runs on the unknowns' matrix
        var op = Times(VoxelOperator.FromGrid(PoissonDomains.RandomObstacles(16, 16, 16, 0.5, 1)), Math.ScaleB(1, 900));
        var b = RandomB(op, 7);
        var options = new SolverOptions { Tolerance = 1e-6, MaxIterations = 200 };
        var model = method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null;
        using var withMatrix = new SolverCatalog().Create(method, new SolverInput(op.ToCsr(), null, op), options, model);
        using var alone = Create(method, op);
        var want = new double[b.Length];
        var got = new double[b.Length];
        alone.Solve(b, want);
        var result = withMatrix.Solve(b, got);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details.ContainsKey("scale"));
        Assert.That(got, Is.EqualTo(want));
    }

    /// <summary>Only the hierarchy's methods (pcg-mg, dcdm) are scaled: cg, pcg-jacobi and pcg-ic0 take the operator as it is.</summary>
    [TestCase(SolveMethod.Cg)]
    [TestCase(SolveMethod.PcgJacobi)]
    [TestCase(SolveMethod.PcgIc0)]
    public void TheMatrixMethodsAreNotScaled(SolveMethod method)
    {
        var op = Times(CoefficientDomains.CutCell(10, 10, 10, 5), Math.ScaleB(1, 60));
        var b = RandomB(op, 1);
        using var solver = new SolverCatalog().CreateForOperator(method, op, new SolverOptions { Tolerance = 1e-6, MaxIterations = 300 });
        Assert.That(solver, Is.Not.InstanceOf<ScaledOperatorSolver>());
        Assert.That(solver.Solve(b, new double[b.Length]).Details.ContainsKey("scale"), Is.False);
    }

    /// <summary>
    /// A solid wall at x = 0 on a grid whose cells a stride of n / 4096 would meet only at x = 0 (6x64x64 here; 64^3,
    /// 128^3 and 256^3 too): the samples still find the operator's scale (with a stride they found no unknown and took it
    /// as near 1, and DCDM stalled and fell back after 48 iterations).
    /// </summary>
    [Test]
    public void AWallAtXZeroDoesNotHideTheOperatorsScale()
    {
        int nx = 6, ny = 64, nz = 64;
        var cells = PoissonDomains.FreeSurfaceTank(nx, ny, nz, 0.6, 1).Cells.ToArray();
        for (int i = 0; i < cells.Length; i += nx) cells[i] = CellType.Solid;
        var op = Times(VoxelOperator.FromGrid(new PoissonGrid(nx, ny, nz, cells)), Math.ScaleB(1, 900));
        Assert.That(ScaledOperatorSolver.ScaleOf(op), Is.Not.EqualTo(1), "the operator lies 2^900 from 1");
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? Math.Sin(i) : 0).ToArray();
        using var solver = new SolverCatalog().CreateForOperator(SolveMethod.Dcdm, op, new SolverOptions { Tolerance = 1e-6 }, new KCycleDirectionModel());
        var result = solver.Solve(b, new double[b.Length]);
        Assert.That(result.Fallback, Is.Null, result.Message);
        Assert.That(result.Details.ContainsKey("scale"));
    }

    /// <summary>The result's projection (b on air cells removed) reports the caller's b's norms, not those of b / 2^eb
    /// (1024 times too large here before).</summary>
    [Test]
    public void TheProjectionsNormsAreThoseOfTheCallersB()
    {
        var unit = CoefficientDomains.GhostFluid(16, 16, 16, 4);
        var b = Enumerable.Range(0, unit.CellCount).Select(i => 0.001 * Math.Sin(i + 1)).ToArray(); // on air cells too
        using var plain = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, unit, new SolverOptions { Tolerance = 1e-6 });
        using var scaled = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, Times(unit, Math.ScaleB(1, 900)), new SolverOptions { Tolerance = 1e-6 });
        var want = plain.Solve(b, new double[b.Length]).Projection!;
        var got = scaled.Solve(b, new double[b.Length]).Projection!;
        Assert.That(got.OriginalNorm, Is.EqualTo(want.OriginalNorm).Within(1e-12).Percent);
        Assert.That(got.RemovedNorm, Is.EqualTo(want.RemovedNorm).Within(1e-12).Percent);
    }

    /// <summary>A ~ 2^-1000 with b ~ 2^60: x ~ 2^1060 overflows as it is scaled back; the result says so (it said
    /// Converged at the relative residual of y).</summary>
    [Test]
    public void AnXThatOverflowsWhenScaledBackIsNotReportedConverged()
    {
        var unit = CoefficientDomains.GhostFluid(16, 16, 16, 4);
        var op = Times(unit, Math.ScaleB(1, -1000));
        var b = Enumerable.Range(0, unit.CellCount).Select(i => unit.Diagonal(i) > 0 ? Math.ScaleB(Math.Sin(i), 60) : 0).ToArray();
        using var solver = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, new SolverOptions { Tolerance = 1e-6 });
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(x.All(double.IsFinite), Is.False, "x ~ 2^1060 overflows");
        Assert.That(result.Status, Is.EqualTo(SolveStatus.NotANumber), result.Message);
        Assert.That(result.Message, Does.Contain("overflows double as it is scaled back").And.Contain("scale b down"));
    }

    /// <summary>A ~ 2^1000 with b ~ 2^-60: x ~ 2^-1060 falls below double's normal range as it is scaled back; the
    /// solve converges (y's residual) and its message says x keeps fewer digits.</summary>
    [Test]
    public void AnXBelowTheNormalRangeSaysSo()
    {
        var unit = CoefficientDomains.GhostFluid(16, 16, 16, 4);
        var op = Times(unit, Math.ScaleB(1, 1000));
        var b = Enumerable.Range(0, unit.CellCount).Select(i => unit.Diagonal(i) > 0 ? Math.ScaleB(Math.Sin(i), -60) : 0).ToArray();
        using var solver = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, new SolverOptions { Tolerance = 1e-6 });
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(x.Where(v => v != 0).All(v => !double.IsNormal(v)), Is.True, "x ~ 2^-1060 is subnormal");
        Assert.That(result.Message, Does.Contain("below double's normal range").And.Contain("scale b up"));
    }
}
