
namespace Dcdm.Tests;

/// <summary>The methods a time loop may pick, as test cases named by their command-line names.</summary>
public static class GridMethods
{
    public static IEnumerable<TestCaseData> Cases() =>
        new[] { SolveMethod.Cg, SolveMethod.PcgIc0, SolveMethod.PcgMg, SolveMethod.Dcdm }.Select(m => new TestCaseData(m).SetArgDisplayNames(SolverCatalog.NameOf(m)));
}
