using Dcdm.Gpu.Devices;
using Dcdm.Models;
using ILGPU;

namespace Dcdm.Gpu.Models;

/// <summary>
/// A multigrid cycle as the device DCDM's direction: q = cycle(r) on the accelerator. As an <see cref="IDirection"/> it
/// copies r in and q out (for tests and mixed use). The vcycle and kcycle models' device directions are this with their cycle.
/// </summary>
public abstract class DeviceCycleDirection : IDeviceDirection, IDirection
{
    readonly DeviceVector<float> _in, _out;

    protected DeviceCycleDirection(GpuDevice device, int cells)
    {
        _in = new DeviceVector<float>(device.Accelerator, cells);
        _out = new DeviceVector<float>(device.Accelerator, cells);
    }

    public abstract void Apply(ArrayView<float> r, ArrayView<float> q);

    void IDirection.Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        _in.Upload(r);
        Apply(_in.View, _out.View);
        _out.Download(q);
    }

    /// <summary>Frees the cycle's own device memory.</summary>
    protected abstract void DisposeCycle();

    public void Dispose()
    {
        DisposeCycle();
        _in.Dispose(); _out.Dispose();
        GC.SuppressFinalize(this);
    }
}
