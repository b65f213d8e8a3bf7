using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Multigrid;
using Dcdm.Models;
using Dcdm.Poisson;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Network;

/// <summary>
/// The vcycle model bound to a geometry on the accelerator: its SOR weights predicted on the host once
/// (<see cref="VCycleDirectionModel.LevelWeights"/>) and uploaded, the cycle run by <see cref="GpuMultigrid"/>'s kernels
/// with those weights (the same levels, transfers and coarsest sweeps as the CPU's <see cref="VCycleDirectionModel"/>).
/// As an <see cref="IDirection"/> it copies r in and q out (for tests and mixed use).
/// </summary>
public sealed class DeviceVCycle : IDeviceDirection, IDirection
{
    readonly GpuMultigrid _cycle;
    readonly DeviceVector<float> _in, _out;

    public DeviceVCycle(GpuDevice device, PoissonGrid grid, VCycleDirectionModel model)
    {
        _cycle = new GpuMultigrid(device, grid, model.LevelWeights(grid), VCycleDirectionModel.CoarsestSweeps);
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
