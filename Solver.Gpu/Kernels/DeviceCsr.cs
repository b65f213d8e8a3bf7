using Dcdm.Gpu.Devices;
using Dcdm.Sparse;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>A CSR matrix uploaded to the accelerator (double values). Owns its three buffers.</summary>
public sealed class DeviceCsr : IDisposable
{
    readonly DeviceVector<int> _ptr, _col;
    readonly DeviceVector<double> _val;

    public int Rows { get; }
    public long NonZeros { get; }
    public double AverageRowLength => Rows == 0 ? 0 : (double)NonZeros / Rows;
    public ArrayView<int> RowPointers => _ptr.View;
    public ArrayView<int> ColumnIndices => _col.View;
    public ArrayView<double> Values => _val.View;

    public DeviceCsr(Accelerator accelerator, CsrMatrix matrix)
    {
        Rows = matrix.Rows;
        NonZeros = matrix.NonZeros;
        _ptr = new DeviceVector<int>(accelerator, matrix.RowPointers);
        // a zero-length buffer is not allowed everywhere: pad empty matrices with one unused entry
        _col = new DeviceVector<int>(accelerator, matrix.NonZeros > 0 ? matrix.ColumnIndices : [0]);
        _val = new DeviceVector<double>(accelerator, matrix.NonZeros > 0 ? matrix.Values : [0.0]);
    }

    public void Dispose()
    {
        _ptr.Dispose(); _col.Dispose(); _val.Dispose();
    }
}
