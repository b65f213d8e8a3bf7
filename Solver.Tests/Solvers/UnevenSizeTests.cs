using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Tests.Solvers;

/// <summary>
/// Every family the generator names, on a box whose sides are odd and unequal (blocks cut off at every face, levels of
/// uneven block counts): the families' tests run on cubes of 16^3 to 32^3, a CFD code's grid is any shape. The bound is
/// issue 21's: at most 10 iterations, DCDM's default and pcg-mg alike, with no direction replaced and no fallback (docs/benchmarks.md
/// has the same at 47^3, 97^3, 96 x 48 x 80 and 40 x 100 x 60 from the command line: 1-9).
/// </summary>
public sealed class UnevenSizeTests
{
    const int Nx = 37, Ny = 23, Nz = 29;

    static IEnumerable<TestCaseData> GridFamilies() => PoissonDomains.Families.Select(f => new TestCaseData(f).SetArgDisplayNames(f));
    static IEnumerable<TestCaseData> OperatorFamilies() => CoefficientDomains.Families.Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    [TestCaseSource(nameof(GridFamilies))]
    public void EveryGridFamilyConvergesInAtMostTenIterations(string family)
    {
        var grid = PoissonDomains.Named(family, Nx, Ny, Nz, 5);
        var b = RightHandSides.VelocityDivergence(grid, 5);
        var options = new SolverOptions { Tolerance = 1e-6 };
        var dcdm = new DeepConjugateDirections(grid, new KCycleDirectionModel(), options).Solve(b, new double[b.Length]);
        var pcgMg = new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, options).Solve(b, new double[b.Length]);
        AssertFewIterations(dcdm, pcgMg);
    }

    [TestCaseSource(nameof(OperatorFamilies))]
    public void EveryOperatorFamilyConvergesInAtMostTenIterations(string family)
    {
        var op = CoefficientDomains.Named(family, Nx, Ny, Nz, 5);
        var rng = new Random(5);
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        var options = new SolverOptions { Tolerance = 1e-6 };
        var dcdm = new DeepConjugateDirections(op, new KCycleDirectionModel(), options).Solve(b, new double[b.Length]);
        var pcgMg = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, options).Solve(b, new double[b.Length]);
        AssertFewIterations(dcdm, pcgMg);
    }

    static void AssertFewIterations(SolveResult dcdm, SolveResult pcgMg)
    {
        foreach (var (name, result) in new[] { ("dcdm", dcdm), ("pcg-mg", pcgMg) })
        {
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), $"{name}: {result.Message}");
            Assert.That(result.Iterations, Is.LessThanOrEqualTo(10), name);
            Assert.That(result.RelativeResidual, Is.LessThanOrEqualTo(1e-6), name);
        }
        Assert.That(dcdm.Details["replaced directions"], Is.EqualTo("0"), "no direction replaced");
        Assert.That(dcdm.Details.ContainsKey("fallback"), Is.False, "no fallback");
    }
}
