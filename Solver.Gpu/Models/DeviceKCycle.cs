using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Poisson;
using ILGPU;

namespace Dcdm.Gpu.Models;

/// <summary>The classical K-cycle direction (<see cref="KCycleDirectionModel"/>) on the accelerator: <see cref="GpuAggregateMultigrid"/> with the model's constant fine weight.</summary>
public sealed class DeviceKCycle(GpuDevice device, PoissonGrid grid, KCycleDirectionModel model) : DeviceCycleDirection(device, grid.CellCount)
{
    readonly GpuAggregateMultigrid _cycle = new(device, grid, model.Relaxation, model.Sweeps);

    public override void Apply(ArrayView<float> r, ArrayView<float> q) => _cycle.Apply(r, q);

    protected override void DisposeCycle() => _cycle.Dispose();
}
