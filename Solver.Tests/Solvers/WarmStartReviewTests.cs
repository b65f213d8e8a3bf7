using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Tests.Solvers;

/// <summary>
/// Review of the dropped warm start (8c6c356): a finite guess too large to start from is dropped, not refused as
/// "the initial guess holds NaN or infinity".
/// </summary>
public class WarmStartReviewTests
{
    static PoissonGrid Tank() => RightHandSideScaleReviewTests.Tank();
    static ILinearSolver Create(SolveMethod method, PoissonGrid grid, bool warm) => RightHandSideScaleReviewTests.Create(method, grid, warm);
    static double[] UnitB(PoissonGrid grid) => RightHandSideScaleReviewTests.UnitB(grid);

    /// <summary>
    /// Every entry 2^508 (~8e152): each square (2^1016) fits a double, their sum over the tank's unknowns does not, so
    /// the guess is dropped by the frame's dot product; a check on the largest entry alone (below sqrt(MaxValue)) would
    /// start from it and end NotANumber in the loop.
    /// </summary>
    [TestCase(SolveMethod.Cg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AGuessWhoseSquaresFitButNotTheirSumIsDropped(SolveMethod method)
    {
        var grid = Tank();
        var b = UnitB(grid);
        var x = new double[b.Length];
        SolveResult cold;
        using (var solver = Create(method, grid, warm: false)) cold = solver.Solve(b, x);
        var y = Enumerable.Repeat(Math.ScaleB(1.0, 508), b.Length).ToArray();
        SolveResult warm;
        using (var solver = Create(method, grid, warm: true)) warm = solver.Solve(b, y);
        Assert.That(warm.Status, Is.EqualTo(SolveStatus.Converged), warm.Message);
        Assert.That(warm.Details["initial guess"], Does.Contain("dropped")
            .And.Contain(Math.ScaleB(1.0, 508).ToString("g3", System.Globalization.CultureInfo.InvariantCulture)), "names the guess's largest entry");
        Assert.That(warm.Iterations, Is.EqualTo(cold.Iterations));
        Assert.That(y, Is.EqualTo(x));
    }

    /// <summary>
    /// One unknown's entry 2^511 (~6.7e153), the others 0: x.x = 2^1022 fits a double, so the frame keeps the guess,
    /// but r = b - A x is ~6 * 2^511 there and r.r overflows; the loop ended cg NotANumber (r.z), pcg-mg Diverged
    /// (5.7e150 times ||b||), dcdm Breakdown (r.Ar = 0, 'not positive definite'). The guess is finite and too large to
    /// start from: it is dropped and the loop started again from x = 0.
    /// </summary>
    [TestCase(SolveMethod.Cg)]
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AGuessWhoseResidualOverflowsIsDroppedToo(SolveMethod method)
    {
        var grid = Tank();
        var b = UnitB(grid);
        var guess = new double[b.Length];
        // an inner fluid cell: six fluid neighbours (a diagonal of 6)
        int nx = grid.Nx, ny = grid.Ny, plane = nx * ny;
        int cell = Enumerable.Range(0, grid.CellCount).First(i => grid.CellArray[i] == CellType.Fluid
            && new[] { i - 1, i + 1, i - nx, i + nx, i - plane, i + plane }.All(j => j >= 0 && j < grid.CellCount && grid.CellArray[j] == CellType.Fluid));
        guess[cell] = Math.ScaleB(1.0, 511);
        SolveResult warm;
        using (var solver = Create(method, grid, warm: true)) warm = solver.Solve(b, guess);
        Assert.That(warm.Status, Is.EqualTo(SolveStatus.Converged), warm.Message);
        Assert.That(warm.Details.ContainsKey("initial guess"), Is.True, "the result says the guess was dropped");
    }

    /// <summary>
    /// A guess's NaN on a cell that is no unknown (a solid or air cell of the grid) is not read: the solve starts from the
    /// guess on the unknowns and converges. A NaN on an unknown is refused, and x is handed back as 0 (not the guess).
    /// </summary>
    [TestCase(SolveMethod.Cg)]
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void OnlyTheUnknownsEntriesOfAGuessAreCheckedAndARefusedGuessLeavesXZero(SolveMethod method)
    {
        var grid = Tank();
        var b = UnitB(grid);
        var guess = Enumerable.Range(0, b.Length).Select(i => grid.CellArray[i] == CellType.Fluid ? 0.25 : double.NaN).ToArray();
        Assert.That(guess.Count(double.IsNaN), Is.GreaterThan(0), "cells that are no unknown");
        SolveResult warm;
        using (var solver = Create(method, grid, warm: true)) warm = solver.Solve(b, guess);
        Assert.That(warm.Status, Is.EqualTo(SolveStatus.Converged), warm.Message);
        Assert.That(warm.Details.ContainsKey("initial guess"), Is.False, "the guess was used");
        var nan = Enumerable.Repeat(1.0, b.Length).ToArray();
        nan[Array.IndexOf(grid.CellArray, CellType.Fluid)] = double.NaN;
        SolveResult refused;
        using (var solver = Create(method, grid, warm: true)) refused = solver.Solve(b, nan);
        Assert.That(refused.Status, Is.EqualTo(SolveStatus.NotANumber));
        Assert.That(refused.Message, Does.Contain("the initial guess holds NaN or infinity"));
        Assert.That(nan, Is.All.EqualTo(0.0), "x = 0 after the refusal");
    }

    static VoxelOperator Times(VoxelOperator op, double s) => new(op.Nx, op.Ny, op.Nz, [.. op.FaceX.Select(c => c * s)], [.. op.FaceY.Select(c => c * s)],
        [.. op.FaceZ.Select(c => c * s)], [.. op.Dirichlet.Select(d => d * s)]);

    /// <summary>
    /// An operator whose diagonals lie near 2^900 (ScaledOperatorSolver) with b near 1: the wrapper scales the guess by
    /// 2^~902 before the frame sees it, so a finite guess of 2^130 (its squares fine) arrives as infinity and is refused
    /// as "the initial guess holds NaN or infinity", which the caller's guess does not. The frame drops such a guess
    /// when b's scale alone puts it past double's range; the operator's scale should do the same.
    /// </summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AFiniteGuessScaledPastDoublesRangeByTheOperatorsScaleIsDroppedNotRefused(SolveMethod method)
    {
        var op = Times(CoefficientDomains.GhostFluid(12, 12, 12, 4), Math.ScaleB(1.0, 900));
        var rng = new Random(9);
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        using var solver = new SolverCatalog().CreateForOperator(method, op, new SolverOptions { Tolerance = 1e-6, MaxIterations = 200, UseInitialGuess = true },
            method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null);
        var x = Enumerable.Repeat(Math.ScaleB(1.0, 130), b.Length).ToArray();
        Assert.That(x.All(double.IsFinite) && double.IsFinite(x.Sum(v => v * v)), "a finite guess whose squares fit");
        var result = solver.Solve(b, x);
        Assert.That(result.Message, Does.Not.Contain("the initial guess holds NaN or infinity"));
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details.ContainsKey("initial guess"), Is.True, "the result says the guess was dropped");
    }
}
