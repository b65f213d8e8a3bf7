using Dcdm.Models;

namespace Dcdm.Tests.Solvers;

/// <summary>Set up once, solve many times: a second solve of the same system allocates nothing proportional to n.</summary>
[NonParallelizable]
public class SetupOnceTests
{
    static PoissonGrid Tank(int n) => PoissonDomains.FreeSurfaceTank(n, n, n, 0.7, seed: 9);

    /// <summary>A direction that ignores r (so DCDM stalls and falls back) and allocates nothing itself.</summary>
    sealed class FixedDirectionModel : IDirectionModel
    {
        public string Description => "fixed";
        public IDirection Bind(PoissonGrid grid) => new Fixed(Enumerable.Range(0, grid.CellCount).Select(i => (float)Math.Sin(0.37 * i)).ToArray());
        sealed class Fixed(float[] direction) : IDirection
        {
            public void Apply(ReadOnlySpan<float> r, Span<float> q) => direction.CopyTo(q);
        }
    }

    static readonly Dictionary<string, Func<PoissonGrid, ILinearSolver>> Solvers = new()
    {
        ["pcg-ic0"] = g => new ConjugateGradient(g.ToCsr(GridMatrixLayout.FullGrid), PreconditionerKind.IncompleteCholesky),
        ["dcdm"] = g => new DeepConjugateDirections(g, new StencilDirectionModel(ModelFile.Read(TestData.Model("stencil.safetensors")))),
        ["dcdm stalling into pcg-mg"] = g => new DeepConjugateDirections(g, new FixedDirectionModel()),
    };

    /// <summary>Bytes allocated on every thread by set-up plus the first solve, and by a second solve of the same b.</summary>
    static (long first, long second, SolveResult result) Allocations(string solver, PoissonGrid grid)
    {
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var x = new double[b.Length];
        long start = GC.GetTotalAllocatedBytes(precise: true);
        var s = Solvers[solver](grid);
        s.Solve(b, x);
        long afterFirst = GC.GetTotalAllocatedBytes(precise: true);
        var result = s.Solve(b, x);
        long afterSecond = GC.GetTotalAllocatedBytes(precise: true);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details.ContainsKey("fallback"), Is.EqualTo(solver.Contains("stalling")), result.Message);
        return (afterFirst - start, afterSecond - afterFirst, result);
    }

    [TestCase("pcg-ic0")]
    [TestCase("dcdm")]
    public void ASecondSolveAllocatesUnderOnePercentOfSetUpAndTheFirst(string solver)
    {
        // 80^3: one vector is 4 MB, so a work vector made per solve would break the bound many times over
        var (first, second, _) = Allocations(solver, Tank(80));
        Assert.That(second, Is.LessThan(first / 100), $"set-up and first solve {first} bytes, second solve {second} bytes");
    }

    [Test]
    public void AStalledSolveDoesNotBuildTheMultigridHierarchyAgain()
    {
        // the fallback's hierarchy is made at the first stall and kept: the second solve, which stalls too,
        // allocates less than one level-0 vector of the hierarchy (three such per level: right-hand side, x, residual)
        var grid = Tank(64);
        var (first, second, _) = Allocations("dcdm stalling into pcg-mg", grid);
        long vector = 8L * grid.CellCount;
        Assert.That(second, Is.LessThan(vector), $"set-up and first solve {first} bytes, second solve {second} bytes, one grid vector {vector} bytes");
    }
}
