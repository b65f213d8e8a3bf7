using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Poisson;
using ILGPU;

namespace Dcdm.Gpu.Models;

/// <summary>
/// A multigrid cycle as the device DCDM's direction: q = cycle(r) on the accelerator. As an <see cref="IDirection"/> it
/// copies r in and q out (for tests and mixed use). It owns the cycle.
/// </summary>
public sealed class DeviceCycleDirection : IDeviceDirection, IDirection
{
    readonly IDeviceDirection _cycle;
    readonly DeviceVector<float> _in, _out;

    public DeviceCycleDirection(GpuDevice device, int cells, IDeviceDirection cycle)
    {
        _cycle = cycle;
        _in = new DeviceVector<float>(device.Accelerator, cells);
        _out = new DeviceVector<float>(device.Accelerator, cells);
    }

    /// <summary>The classical K-cycle direction (<see cref="KCycleDirectionModel"/>): <see cref="GpuAggregateMultigrid"/> with the model's constant fine weight.</summary>
    public static DeviceCycleDirection KCycle(GpuDevice device, PoissonGrid grid, KCycleDirectionModel model) =>
        new(device, grid.CellCount, new GpuAggregateMultigrid(device, grid, model.Relaxation, model.GridSweeps));

    /// <summary>
    /// The vcycle model bound to a geometry: its SOR weights predicted on the host once (<see cref="VCycleDirectionModel.LevelWeights"/>)
    /// and uploaded, the cycle run by <see cref="GpuMultigrid"/>'s kernels with those weights (the same levels, transfers
    /// and coarsest sweeps as the CPU's <see cref="VCycleDirectionModel.BindGeometric"/>).
    /// </summary>
    public static DeviceCycleDirection VCycle(GpuDevice device, PoissonGrid grid, VCycleDirectionModel model) =>
        new(device, grid.CellCount, new GpuMultigrid(device, grid, model.LevelWeights(grid), VCycleDirectionModel.CoarsestSweeps));

    public void Apply(ArrayView<float> r, ArrayView<float> q) => _cycle.Apply(r, q);

    void IDirection.Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        _in.Upload(r);
        Apply(_in.View, _out.View);
        _out.Download(q);
    }

    public void Dispose()
    {
        _cycle.Dispose();
        _in.Dispose(); _out.Dispose();
    }
}
