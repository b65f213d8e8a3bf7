using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Tests.Solvers;

/// <summary>
/// A b whose norm lies far from 1 (a system written in other units) solved as b times a power of two, x scaled back, by
/// every method through the frame all solvers share. Unscaled, b ~ 1e-200 read as zero ("x = 0", Converged), b ~ 1e-160
/// ended Converged with a residual that underflowed to 0 (cg: "not positive definite"), and b ~ 1e+160 ended "b holds
/// NaN or infinity", its squares overflowing.
/// </summary>
public class RightHandSideScaleTests
{
    static readonly SolveMethod[] Methods = [SolveMethod.Cg, SolveMethod.PcgJacobi, SolveMethod.PcgIc0, SolveMethod.PcgMg, SolveMethod.Dcdm];

    static PoissonGrid Tank() => PoissonDomains.FreeSurfaceTank(16, 15, 14, 0.6, 1);

    static ILinearSolver Create(SolveMethod method, PoissonGrid grid, bool warm = false) => new SolverCatalog().CreateForGrid(method, grid,
        new SolverOptions { Tolerance = 1e-6, MaxIterations = 500, UseInitialGuess = warm }, method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null);

    /// <summary>The divergence of a random velocity field, its largest entry scaled into [1, 2), so that scaling it by
    /// 2^k gives a b whose own power of two is k.</summary>
    static double[] UnitB(PoissonGrid grid)
    {
        var b = RightHandSides.VelocityDivergence(grid, 3);
        int e = Math.ILogB(b.Max(Math.Abs));
        return [.. b.Select(v => Math.ScaleB(v, -e))];
    }

    static double[] Times(double[] v, int exponent) => [.. v.Select(x => Math.ScaleB(x, exponent))];

    static (SolveResult Result, double[] X) Solve(SolveMethod method, PoissonGrid grid, double[] b, double[]? guess = null)
    {
        using var solver = Create(method, grid, warm: guess is not null);
        var x = guess is null ? new double[b.Length] : (double[])guess.Clone();
        return (solver.Solve(b, x), x);
    }

    /// <summary>
    /// b times 2^-600 and 2^600 (x far outside where the loop's squares stay in double's range, yet inside it): the
    /// same iterations and relative residuals as b itself, and x that one's times the power of two, bit for bit.
    /// </summary>
    [Test]
    public void BFarFromOneSolvesBitForBitAsBNearOne([ValueSource(nameof(Methods))] SolveMethod method, [Values(-600, 600)] int exponent)
    {
        var grid = Tank();
        var b = UnitB(grid);
        var (want, x) = Solve(method, grid, b);
        var (got, y) = Solve(method, grid, Times(b, exponent));
        Assert.That(want.Status, Is.EqualTo(SolveStatus.Converged), want.Message);
        Assert.That(want.Details.ContainsKey("b scale"), Is.False, "b near 1 is solved as it is");
        Assert.That(got.Status, Is.EqualTo(SolveStatus.Converged), got.Message);
        Assert.That(got.Iterations, Is.EqualTo(want.Iterations));
        Assert.That(got.ResidualHistory, Is.EqualTo(want.ResidualHistory), "the same relative residuals");
        Assert.That(got.RelativeResidual, Is.EqualTo(want.RelativeResidual));
        Assert.That(got.Details["b scale"], Does.Contain($"b times 2^{-exponent}"), "the result says how b was scaled");
        Assert.That(y, Is.EqualTo(Times(x, exponent)), "x = b's x times 2^k");
    }

    /// <summary>The inputs that failed unscaled (b ~ 1e-200, 1e-160, 1e+160, 1e+300) converge, their true residual
    /// recomputed here on b and x scaled back to near 1 (its squares would under- or overflow as they are).</summary>
    [Test]
    public void TheInputsThatFailedConverge([ValueSource(nameof(Methods))] SolveMethod method, [Values(-200, -160, 160, 300)] int decimalExponent)
    {
        var grid = Tank();
        var b = Times(UnitB(grid), 0).Select(v => v * Math.Pow(10, decimalExponent)).ToArray();
        var (result, x) = Solve(method, grid, b);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.GreaterThan(0));
        int e = Math.ILogB(b.Max(Math.Abs));
        double residual = GridResidual.Relative(grid, Times(b, -e), Times(x, -e));
        Assert.That(residual, Is.LessThanOrEqualTo(1.01e-6), "the true residual of the caller's system");
        Assert.That(result.RelativeResidual, Is.EqualTo(residual).Within(1e-3 * residual), "the one the result reports");
    }

    /// <summary>A b whose x lies past double's range (b = 2^1022 on every unknown: x, the operator's inverse applied to it, is
    /// several times larger): the solve ends NotANumber and says why, where x's overflow was otherwise reported
    /// Converged; a b whose x lies below the normal range says so in the message.</summary>
    [Test]
    public void AnXPastDoublesRangeIsNotReportedConverged()
    {
        var grid = Tank();
        var b = new double[grid.CellCount];
        foreach (int i in grid.FluidCells) b[i] = 1;
        var (reference, x) = Solve(SolveMethod.PcgMg, grid, b);
        Assert.That(x.Max(Math.Abs), Is.GreaterThan(4), "x is larger than b here");
        var (over, _) = Solve(SolveMethod.PcgMg, grid, Times(b, 1022));
        Assert.That(over.Status, Is.EqualTo(SolveStatus.NotANumber), over.Message);
        Assert.That(over.Message, Does.Contain("overflows"));
        var (under, y) = Solve(SolveMethod.PcgMg, grid, Times(b, -1070));
        Assert.That(under.Message, Does.Contain("below double's normal range"), under.Message);
        Assert.That(reference.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(y.All(double.IsFinite), Is.True);
    }

    /// <summary>A warm start goes in scaled: from b's own solution times 2^k, no iteration.</summary>
    [TestCase(SolveMethod.Cg)]
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AWarmStartIsScaledIn(SolveMethod method)
    {
        var grid = Tank();
        var b = Times(UnitB(grid), -700);
        var (first, x) = Solve(method, grid, b);
        Assert.That(first.Status, Is.EqualTo(SolveStatus.Converged), first.Message);
        Assert.That(first.Iterations, Is.GreaterThan(0), "b ~ 2^-700 solved, not read as zero");
        var (again, y) = Solve(method, grid, b, guess: x);
        Assert.That(again.Status, Is.EqualTo(SolveStatus.Converged), again.Message);
        Assert.That(again.Iterations, Is.Zero, "started from its own solution");
        Assert.That(y, Is.EqualTo(x).Within(1e-9).Percent.Or.EqualTo(x));
    }

    /// <summary>What stays as it was: a zero b gives x = 0, a b holding NaN or infinity ends NotANumber, and a b that is
    /// zero on the range of A (a constant on a closed box) is still zero there, whatever its scale.</summary>
    [Test]
    public void ZeroNaNAndANullSpaceBStayAsTheyWere()
    {
        var grid = Tank();
        var b = UnitB(grid);
        var (zero, x) = Solve(SolveMethod.PcgMg, grid, new double[b.Length]);
        Assert.That(zero.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(zero.Message, Does.Contain("b is zero"));
        Assert.That(x, Is.All.Zero);
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity })
        {
            var withBad = Times(b, -700);
            withBad[Array.FindIndex(withBad, v => v != 0)] = bad;
            var (result, _) = Solve(SolveMethod.PcgMg, grid, withBad);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.NotANumber), result.Message);
            Assert.That(result.Message, Does.Contain("b holds NaN or infinity"));
        }
        var box = PoissonDomains.ClosedBox(8, 8, 8);
        var constant = Enumerable.Repeat(Math.ScaleB(1.0, -900), box.CellCount).ToArray();
        var (onRange, z) = Solve(SolveMethod.PcgMg, box, constant);
        Assert.That(onRange.Status, Is.EqualTo(SolveStatus.Converged), onRange.Message);
        Assert.That(onRange.Message, Does.Contain("b is zero on the range"));
        Assert.That(z, Is.All.Zero);
    }

    /// <summary>On a closed box (singular: b's mean is removed) the projection's norms are the caller's b's, scaled back.</summary>
    [Test]
    public void TheProjectionsNormsAreTheCallersB()
    {
        var box = PoissonDomains.ClosedBox(8, 8, 8);
        var b = Enumerable.Range(0, box.CellCount).Select(i => 1 + Math.Sin(i)).ToArray();
        int e = Math.ILogB(b.Max(Math.Abs));
        b = Times(b, -e);
        var (want, x) = Solve(SolveMethod.PcgMg, box, b);
        var (got, y) = Solve(SolveMethod.PcgMg, box, Times(b, -800));
        Assert.That(got.Status, Is.EqualTo(SolveStatus.Converged), got.Message);
        Assert.That(want.Projection, Is.Not.Null);
        Assert.That(got.Projection!.OriginalNorm, Is.EqualTo(Math.ScaleB(want.Projection!.OriginalNorm, -800)));
        Assert.That(got.Projection.RemovedNorm, Is.EqualTo(Math.ScaleB(want.Projection.RemovedNorm, -800)));
        Assert.That(y, Is.EqualTo(Times(x, -800)));
    }
}
