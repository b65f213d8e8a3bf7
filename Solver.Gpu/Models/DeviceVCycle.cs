using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Poisson;
using ILGPU;

namespace Dcdm.Gpu.Models;

/// <summary>
/// The vcycle model bound to a geometry on the accelerator: its SOR weights predicted on the host once
/// (<see cref="VCycleDirectionModel.LevelWeights"/>) and uploaded, the cycle run by <see cref="GpuMultigrid"/>'s kernels
/// with those weights (the same levels, transfers and coarsest sweeps as the CPU's <see cref="VCycleDirectionModel.BindGeometric"/>).
/// </summary>
public sealed class DeviceVCycle(GpuDevice device, PoissonGrid grid, VCycleDirectionModel model) : DeviceCycleDirection(device, grid.CellCount)
{
    readonly GpuMultigrid _cycle = new(device, grid, model.LevelWeights(grid), VCycleDirectionModel.CoarsestSweeps);

    public override void Apply(ArrayView<float> r, ArrayView<float> q) => _cycle.Apply(r, q);

    protected override void DisposeCycle() => _cycle.Dispose();
}
