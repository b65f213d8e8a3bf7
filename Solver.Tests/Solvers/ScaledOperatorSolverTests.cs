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

    static ILinearSolver Create(SolveMethod method, VoxelOperator op) => new SolverCatalog().CreateForOperator(method, op,
        new SolverOptions { Tolerance = 1e-6, MaxIterations = 200 }, method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null);

    /// <summary>
    /// Scaled by 2^900 or 2^-900 (so every scaling on the way is exact), with b scaled by 2^-300 or 2^300: the same
    /// iterations and residuals as the unit operator with b, and x that one's times the right power of two, bit for bit.
    /// Unscaled, A ~ 2^900 made x ~ 2^-900 and the corrections fell below double's normal range.
    /// </summary>
    [TestCase(SolveMethod.PcgMg, 900, -300)]
    [TestCase(SolveMethod.PcgMg, -900, 300)]
    [TestCase(SolveMethod.Dcdm, 900, -300)]
    [TestCase(SolveMethod.Dcdm, -900, 300)]
    public void APowerOfTwoFarFromOneSolvesBitForBitAsTheUnitOperator(SolveMethod method, int operatorExponent, int bExponent)
    {
        var unit = CoefficientDomains.CutCell(16, 15, 14, 5);
        var op = Times(unit, Math.ScaleB(1, operatorExponent));
        var b = RandomB(unit, 3);
        var scaledB = b.Select(v => Math.ScaleB(v, bExponent)).ToArray();
        using var reference = Create(method, unit);
        using var scaled = Create(method, op);
        Assert.That(ScaledOperatorSolver.ScaleOf(op), Is.Not.EqualTo(1), "the operator is far from 1");
        var want = new double[b.Length];
        var got = new double[b.Length];
        var r0 = reference.Solve(b, want);
        var r1 = scaled.Solve(scaledB, got);
        Assert.That(r1.Status, Is.EqualTo(SolveStatus.Converged), r1.Message);
        Assert.That(r1.Iterations, Is.EqualTo(r0.Iterations));
        Assert.That(r1.ResidualHistory, Is.EqualTo(r0.ResidualHistory), "the same relative residuals");
        Assert.That(r0.Details.ContainsKey("scale"), Is.False, "the unit operator solved as it is");
        Assert.That(r1.Details["scale"], Does.Contain($"times 2^{-operatorExponent - 2}").Or.Contain($"times 2^{-operatorExponent - 3}")
            .Or.Contain($"times 2^{-operatorExponent - 1}"), "the result says how it was scaled");
        var expected = want.Select(v => Math.ScaleB(v, bExponent - operatorExponent)).ToArray();
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
}
