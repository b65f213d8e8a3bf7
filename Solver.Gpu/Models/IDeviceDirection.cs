using ILGPU;

namespace Dcdm.Gpu.Models;

/// <summary>A direction model bound to a geometry and resident on the accelerator: the device DCDM's f.</summary>
public interface IDeviceDirection : IDisposable
{
    /// <summary>q = f(r) on the device (r and q full-grid float32 views, r 0 off the unknowns; q must not be r).</summary>
    void Apply(ArrayView<float> r, ArrayView<float> q);
}
