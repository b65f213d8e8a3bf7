using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Poisson;
using ILGPU;

namespace Dcdm.Gpu.Network;

/// <summary>
/// The classical K-cycle direction (<see cref="KCycleDirectionModel"/>) on the accelerator: <see cref="GpuAggregateMultigrid"/>
/// with the model's constant fine weight. As an <see cref="IDirection"/> it copies r in and q out (for tests and mixed use).
/// </summary>
public sealed class DeviceKCycle : IDeviceDirection, IDirection
{
    readonly GpuAggregateMultigrid _cycle;
    readonly DeviceVector<float> _in, _out;

    public DeviceKCycle(GpuDevice device, PoissonGrid grid, KCycleDirectionModel model)
    {
        _cycle = new GpuAggregateMultigrid(device, grid, model.FineWeights(grid), model.Sweeps);
        _in = new DeviceVector<float>(device.Accelerator, grid.CellCount);
        _out = new DeviceVector<float>(device.Accelerator, grid.CellCount);
    }

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
