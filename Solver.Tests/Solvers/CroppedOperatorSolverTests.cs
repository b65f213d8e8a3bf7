using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Solvers;

/// <summary>pcg-mg and DCDM on the box around a voxel operator's unknowns: the same answer as on the whole grid.</summary>
public class CroppedOperatorSolverTests
{
    static readonly SolverOptions Tight = new() { Tolerance = 1e-10 };

    /// <summary>A ghost-fluid surface with air above, and a pool whose corner is dry (x and y cropped too).</summary>
    static IEnumerable<TestCaseData> Operators()
    {
        yield return new TestCaseData(CoefficientDomains.GhostFluid(40, 30, 24, 4)).SetArgDisplayNames("ghost-fluid 40x30x24");
        yield return new TestCaseData(VoxelOperator.FromGrid(PoissonDomains.DamBreak(32, 20, 28, 0.4, 0.5))).SetArgDisplayNames("dam break 32x20x28");
    }

    [TestCaseSource(nameof(Operators))]
    public void TheBoxHoldsEveryUnknownFromAnAlignedOrigin(VoxelOperator op)
    {
        var (box, crop) = CroppedOperatorSolver.BoxOf(op)!.Value;
        Assert.That(new[] { crop.Origin.X, crop.Origin.Y, crop.Origin.Z }, Is.All.Matches<int>(o => o % CroppedGridSolver.Alignment == 0));
        Assert.That(crop.Cells, Is.LessThanOrEqualTo(CroppedGridSolver.MaxShare * op.CellCount));
        int inside = 0;
        for (int i = 0; i < op.CellCount; i++)
        {
            if (!(op.Diagonal(i) > 0)) continue;
            int x = i % op.Nx - crop.Origin.X, y = i / op.Nx % op.Ny - crop.Origin.Y, z = i / (op.Nx * op.Ny) - crop.Origin.Z;
            Assert.That(x >= 0 && x < box.Nx && y >= 0 && y < box.Ny && z >= 0 && z < box.Nz, Is.True, $"unknown {i} outside the box");
            Assert.That(box.Diagonal(x + box.Nx * (y + box.Ny * z)), Is.EqualTo(op.Diagonal(i)), $"unknown {i}'s row");
            inside++;
        }
        Assert.That(Enumerable.Range(0, box.CellCount).Count(j => box.Diagonal(j) > 0), Is.EqualTo(inside), "the box's unknowns are the grid's");
        Assert.That(CroppedOperatorSolver.BoxOf(CoefficientDomains.TwoPhase(16, 16, 16, 1000, 1)), Is.Null, "unknowns everywhere: no box");
    }

    [Test]
    public void TheOperatorsCarryVectorsBothWays()
    {
        // the ghost-fluid box is whole planes (taken in place), the dam break's cropped along x too (gathered)
        var (_, surface) = CroppedOperatorSolver.BoxOf(CoefficientDomains.GhostFluid(40, 30, 24, 4))!.Value;
        Assert.That((surface.Size.X, surface.Size.Y), Is.EqualTo((40, 30)));
        var (_, dam) = CroppedOperatorSolver.BoxOf(VoxelOperator.FromGrid(PoissonDomains.DamBreak(32, 20, 28, 0.4, 0.5)))!.Value;
        Assert.That(dam.Size.X, Is.LessThan(32));
    }

    [TestCaseSource(nameof(Operators))]
    public void PcgMgAndDcdmOnTheBoxSolveAsOnTheWholeGrid(VoxelOperator op)
    {
        var rng = new Random(3);
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        int outside = op.CellCount - 1; // the top corner: air, outside the box
        Assert.That(op.Diagonal(outside), Is.EqualTo(0));
        b[outside] = 2; // on no unknown: removed and reported as the whole grid's solver does
        var whole = new ConjugateGradient(op, null, "pcg-mg", Tight, unknowns => new AggregateMultigrid(op, unknowns));
        var expected = new double[op.CellCount];
        var reference = whole.Solve(b, expected);
        CropAssert.SolvesAsTheWholeGrid<CroppedOperatorSolver>((method, model) => new SolverCatalog().CreateForOperator(method, op, Tight, model), b, expected,
            reference, "the box around the unknowns");
        var x = new double[op.CellCount];
        new SolverCatalog().CreateForOperator(SolveMethod.Dcdm, op, Tight, new KCycleDirectionModel()).Solve(b, x);
        Assert.That(ProductResidual.Relative(op.ToCsr(), b, x, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-10), "the true residual on the unknowns");
    }

    /// <summary>In a time loop the box is kept while the unknowns stay in it (as a grid's), so box-sized arrays keep their length.</summary>
    [Test]
    public void InATimeLoopTheBoxIsKeptWhileTheUnknownsStayInIt()
    {
        static VoxelOperator Front(double at) => VoxelOperator.FromGrid(PoissonDomains.DamBreak(64, 24, 48, at, 0.5));
        var tight = CroppedOperatorSolver.BoxOf(Front(0.30))!.Value.Crop;
        var cache = new RebindCache();
        CroppedBox kept;
        using (cache.Begin())
        {
            var crop = CroppedOperatorSolver.BoxOf(Front(0.30))!.Value.Crop;
            Assert.That(crop.Origin, Is.EqualTo(tight.Origin));
            Assert.That(crop.Cells, Is.GreaterThanOrEqualTo(tight.Cells), "far ends on the alignment");
            kept = crop;
        }
        using (cache.Begin())
        {
            var op = Front(0.32); // the front one cell on: still inside
            var (box, crop) = CroppedOperatorSolver.BoxOf(op)!.Value;
            Assert.That(crop, Is.EqualTo(kept));
            Assert.That(Enumerable.Range(0, box.CellCount).Count(j => box.Diagonal(j) > 0),
                Is.EqualTo(Enumerable.Range(0, op.CellCount).Count(i => op.Diagonal(i) > 0)), "every unknown in the kept box");
        }
        using (cache.Begin())
        {
            var op = Front(0.45); // the front left the box
            var (box, crop) = CroppedOperatorSolver.BoxOf(op)!.Value;
            Assert.That(crop, Is.Not.EqualTo(kept));
            Assert.That(Enumerable.Range(0, box.CellCount).Count(j => box.Diagonal(j) > 0),
                Is.EqualTo(Enumerable.Range(0, op.CellCount).Count(i => op.Diagonal(i) > 0)));
        }
    }

    [Test]
    public void ALearnedModelIsRefusedOnAnOperatorThatWouldBeCropped()
    {
        var op = CoefficientDomains.GhostFluid(40, 30, 24, 4);
        Assert.That(() => new SolverCatalog().CreateForOperator(SolveMethod.Dcdm, op, Tight, ShippedModels.Named("vcycle")),
            Throws.TypeOf<InvalidSystemException>().With.Message.Contains("face coefficients"));
    }
}
