using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Models;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Models;

/// <summary>
/// The stencil network bound to a geometry, resident on the accelerator: its stencil fields uploaded once,
/// the V-cycle run by <see cref="NetworkKernels"/> on device vectors. As an <see cref="IDirection"/> it
/// copies r in and q out (for tests and mixed use); <see cref="Apply(ArrayView{float}, ArrayView{float})"/>
/// works on device views directly.
/// </summary>
public sealed class DeviceStencilNetwork : IDeviceDirection, IDirection
{
    readonly NetworkKernels _k;
    readonly GridShape[] _shape;
    readonly (DeviceVector<int> slot, DeviceVector<float> table)[] _smooth, _down, _up;
    readonly (DeviceVector<int> slot, DeviceVector<float> table) _coarse;
    readonly DeviceVector<float>[] _x, _skip, _z, _work;
    readonly DeviceVector<float> _in, _out;
    readonly float _mixSkip, _mixCoarse;

    public DeviceStencilNetwork(GpuDevice device, StencilHierarchy stencils)
    {
        var acc = device.Accelerator;
        _k = device.NetworkKernels;
        int count = stencils.Levels.Count, last = count - 1;
        _shape = stencils.Levels.Select(l => new GridShape(l.Nx, l.Ny, l.Nz, 1)).ToArray();
        // the blocks of a level share one slot array (StencilRows): upload it once
        var slots = new Dictionary<int[], DeviceVector<int>>(ReferenceEqualityComparer.Instance);
        (DeviceVector<int>, DeviceVector<float>) Upload(StencilField f)
        {
            if (!slots.TryGetValue(f.Slot, out var slot)) slots[f.Slot] = slot = new DeviceVector<int>(acc, f.Slot);
            return (slot, new DeviceVector<float>(acc, f.Table));
        }
        _smooth = stencils.Smooth.Select(Upload).ToArray();
        _down = stencils.Down.Select(Upload).ToArray();
        _up = stencils.Up.Select(Upload).ToArray();
        _coarse = Upload(stencils.Coarse);
        // level 0 reads r and writes q directly: its x and z buffers are never used
        DeviceVector<float>[] PerLevel(bool fine) => _shape.Select((s, l) => new DeviceVector<float>(acc, l == 0 && !fine ? 1 : s.Cells)).ToArray();
        _x = PerLevel(false); _z = PerLevel(false); _skip = PerLevel(true); _work = PerLevel(true);
        _in = new DeviceVector<float>(acc, _shape[0].Cells);
        _out = new DeviceVector<float>(acc, _shape[0].Cells);
        _mixSkip = stencils.MixSkip;
        _mixCoarse = stencils.MixCoarse;
    }

    /// <summary>q = f(r) on the device (r and q full-grid float32 views; q must not be r).</summary>
    public void Apply(ArrayView<float> r, ArrayView<float> q)
    {
        int last = _shape.Length - 1;
        ArrayView<float> X(int l) => l == 0 ? r : _x[l].View;
        ArrayView<float> Z(int l) => l == 0 ? q : _z[l].View;
        for (int l = 0; l < last; l++)
        {
            _k.ApplyStencil(_shape[l], _smooth[l].slot.View, _smooth[l].table.View, X(l), _skip[l].View);
            _k.ApplyStencil(_shape[l], _down[l].slot.View, _down[l].table.View, X(l), _work[l].View);
            _k.Pool(_shape[l], _shape[l + 1], _work[l].View, X(l + 1));
        }
        _k.ApplyStencil(_shape[last], _coarse.slot.View, _coarse.table.View, X(last), Z(last));
        for (int l = last - 1; l >= 0; l--)
        {
            _k.Upsample(_shape[l + 1], _shape[l], Z(l + 1), _work[l].View);
            _k.ApplyStencil(_shape[l], _up[l].slot.View, _up[l].table.View, _work[l].View, Z(l));
            _k.Mix(_mixSkip, 4 * _mixCoarse, _skip[l].View, Z(l));
        }
    }

    void IDirection.Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        _in.Upload(r);
        Apply(_in.View, _out.View);
        _out.Download(q);
    }

    public void Dispose()
    {
        var fields = _smooth.Concat(_down).Concat(_up).Append(_coarse).ToList();
        foreach (var slot in fields.Select(f => f.slot).Distinct()) slot.Dispose(); // shared by the blocks of a level
        foreach (var (_, table) in fields) table.Dispose();
        foreach (var v in _x.Concat(_skip).Concat(_z).Concat(_work).Append(_in).Append(_out)) v.Dispose();
    }
}
