using Dcdm.Gpu.Multigrid;
using Dcdm.Gpu.Models;
using Dcdm.Models;

namespace Dcdm.Tests.Gpu;

/// <summary>The vcycle model's cycle on the device (ILGPU's CPU accelerator) against its C# engine; DCDM with it: GpuDeepConjugateDirectionsTests.</summary>
public class DeviceVCycleTests : AcceleratorTests
{
    static VCycleDirectionModel Model => VCycleDirectionModel.Shipped();

    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(12, 10, 9, 0.6, 4)).SetArgDisplayNames("tank 12x10x9");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(16, 16, 16, 0.15, 2)).SetArgDisplayNames("obstacles 16^3");
        yield return new TestCaseData(PoissonDomains.DamBreak(11, 7, 9, 0.4, 0.8)).SetArgDisplayNames("dam break 11x7x9");
        yield return new TestCaseData(PoissonDomains.ClosedBox(4, 3, 4)).SetArgDisplayNames("closed box 4x3x4 (one level)");
    }

    [TestCaseSource(nameof(Grids))]
    public void TheDeviceCycleMatchesTheCSharpEngine(PoissonGrid grid)
    {
        var diagonal = CellDiagonal.Of(grid);
        var rng = new Random(2);
        var r = diagonal.Select(d => d == 0 ? 0f : (float)(rng.NextDouble() - 0.5)).ToArray();
        var expected = new float[grid.CellCount];
        Model.BindGeometric(grid).Apply(r, expected);
        using var cycle = DeviceCycleDirection.VCycle(Device, grid, Model);
        var got = new float[grid.CellCount];
        ((IDirection)cycle).Apply(r, got);
        Assert.That(expected.Count(v => v != 0), Is.GreaterThan(grid.FluidCount / 2), "a direction worth comparing");
        Assert.That(got, Is.EqualTo(expected).Within(1e-5 * expected.Max(Math.Abs)));
    }

    [Test]
    public void WeightsThatDoNotFitTheHierarchyAreRefused()
    {
        var grid = PoissonDomains.FreeSurfaceTank(12, 10, 9, 0.6, 4);
        var weights = Model.LevelWeights(grid);
        Assert.Throws<ArgumentException>(() => new GpuMultigrid(Device, grid, weights.Skip(1).ToList(), VCycleDirectionModel.CoarsestSweeps));
        Assert.Throws<ArgumentException>(() => new GpuMultigrid(Device, grid, [.. weights.Select((w, l) => l == 0 ? w.Select(a => a[..^1]).ToArray() : w)],
            VCycleDirectionModel.CoarsestSweeps)); // one weight short on the fine level
    }
}
