
namespace Dcdm.Tests.Solvers;

/// <summary>The matrix-free full-grid kernels against the grid's assembled operator, and the rule that picks them.</summary>
public class GridStencilTests
{
    static double[] OnUnknowns(PoissonGrid grid, int seed)
    {
        var rng = new Random(seed);
        var d = CellDiagonal.Of(grid);
        return [.. d.Select(v => v > 0 ? rng.NextDouble() - 0.5 : 0)];
    }

    [TestCase(70)] // large enough for the parallel planes
    [TestCase(9)]
    public void TheProductAndTheResidualAreTheAssembledOperators(int n)
    {
        var grid = PoissonDomains.PocketsAndDroplets(n, n - 1, n + 1, 3); // air, solid, closed pockets, isolated cells
        HostOperatorAssert.IsTheMatrix(new HostBackend(new GridStencil(grid)), grid.ToCsr(GridMatrixLayout.FullGrid), OnUnknowns(grid, 1), OnUnknowns(grid, 2));
    }

    [Test]
    public void MostlyFluidGridsRunMatrixFreeAndSparseOnesOnTheUnknownsWithTheSameIterations()
    {
        var dense = PoissonDomains.Baffles(24, 24, 24, 1);
        var sparse = PoissonDomains.DamBreak(24, 24, 24, 0.4, 0.8);
        Assert.That(GridStencil.Pays(dense), Is.True, $"{dense.FluidCount} of {dense.CellCount}");
        Assert.That(GridStencil.Pays(sparse), Is.False, $"{sparse.FluidCount} of {sparse.CellCount}");
        var b = RightHandSides.VelocityDivergence(dense, 1);
        var options = new SolverOptions { Tolerance = 1e-8 };
        foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
        {
            var model = method == SolveMethod.Dcdm ? new Dcdm.Models.KCycleDirectionModel() : null;
            var matrixFree = new SolverCatalog().CreateForGrid(method, dense, options, model).Solve(b, new double[b.Length]);
            var input = new SolverInput(dense.ToCsr(GridMatrixLayout.FullGrid), dense);
            var onUnknowns = method == SolveMethod.PcgMg
                ? new ConjugateGradient(() => ReducedSystem.FromGrid(dense), "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(dense, u)).Solve(b, new double[b.Length])
                : new DeepConjugateDirections(dense, model!, options, matrix: input.Matrix).Solve(b, new double[b.Length]);
            Assert.That(matrixFree.Status, Is.EqualTo(SolveStatus.Converged), matrixFree.Message);
            Assert.That(matrixFree.Iterations, Is.EqualTo(onUnknowns.Iterations), method.ToString());
            Assert.That(matrixFree.RelativeResidual, Is.EqualTo(onUnknowns.RelativeResidual).Within(1e-3 * onUnknowns.RelativeResidual), method.ToString());
        }
    }
}
