using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Solvers;

/// <summary>A voxel operator's matrix-free product against its assembled matrix, and DCDM on it against the matrix's iteration.</summary>
public class FaceStencilTests
{
    static double[] OnUnknowns(VoxelOperator op, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0)];
    }

    [TestCase("two-phase", 40)] // large enough for the parallel planes
    [TestCase("cut-cell", 9)]
    [TestCase("ghost-fluid", 9)]
    public void TheProductAndTheResidualAreTheAssembledOperators(string family, int n)
    {
        var op = CoefficientDomains.Named(family, n, n - 1, n + 1, 3);
        HostOperatorAssert.IsTheMatrix(new HostBackend(new FaceStencil(op, CellLevel.DiagonalOf(op))), op.ToCsr(), OnUnknowns(op, 1), OnUnknowns(op, 2));
    }

    /// <summary>
    /// DCDM and pcg-mg on an operator whose cells are mostly unknowns run on the faces over the full grid, on one with
    /// few on its CSR matrix on the unknowns: all converge on the true residual, DCDM in about pcg-mg's iterations (the
    /// same cycle), and a second solve repeats the first.
    /// </summary>
    [Test]
    public void DcdmAndPcgMgOnAnOperatorRunOnTheFacesWhereTheyPayAndOnItsMatrixElsewhere()
    {
        var dense = CoefficientDomains.TwoPhase(20, 20, 20, 1000, 2);
        var sparse = VoxelOperator.FromGrid(PoissonDomains.DamBreak(20, 20, 20, 0.4, 0.8));
        Assert.That(FaceStencil.Pays(ReducedSystem.FromOperator(dense)), Is.True);
        Assert.That(FaceStencil.Pays(ReducedSystem.FromOperator(sparse)), Is.False);
        var options = new SolverOptions { Tolerance = 1e-8 };
        foreach (var op in new[] { dense, sparse })
        {
            var b = OnUnknowns(op, 3);
            var dcdm = new DeepConjugateDirections(op, new KCycleDirectionModel(), options);
            var first = dcdm.Solve(b, new double[b.Length]);
            var x = new double[b.Length];
            var result = dcdm.Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(result.Iterations, Is.EqualTo(first.Iterations), "a second solve repeats the first");
            Assert.That(ProductResidual.Relative(op.ToCsr(), b, x, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-8), "the true residual");
            // pcg-mg takes the same product: on the faces where they pay, else the CSR matrix
            var pcgX = new double[b.Length];
            var pcgMg = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, options).Solve(b, pcgX);
            Assert.That(pcgMg.Status, Is.EqualTo(SolveStatus.Converged), pcgMg.Message);
            Assert.That(ProductResidual.Relative(op.ToCsr(), b, pcgX, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-8), "pcg-mg's true residual");
            Assert.That(result.Iterations, Is.LessThanOrEqualTo(pcgMg.Iterations + 1), $"pcg-mg took {pcgMg.Iterations}");
        }
    }
}
