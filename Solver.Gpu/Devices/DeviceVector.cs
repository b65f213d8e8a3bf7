using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Devices;

/// <summary>A vector resident on the accelerator; owns its buffer. Kernels take its <see cref="View"/>.</summary>
public sealed class DeviceVector<T> : IDisposable where T : unmanaged
{
    readonly MemoryBuffer1D<T, Stride1D.Dense> _buffer;

    public DeviceVector(Accelerator accelerator, int length)
    {
        _buffer = accelerator.Allocate1D<T>(length);
        _buffer.MemSetToZero();
    }

    public DeviceVector(Accelerator accelerator, T[] values)
    {
        _buffer = accelerator.Allocate1D(values);
    }

    public int Length => (int)_buffer.Length;
    public ArrayView<T> View => _buffer.View;

    public void Upload(ReadOnlySpan<T> values) => View.CopyFromCPU(values);
    public void Download(Span<T> values) => View.CopyToCPU(values);
    public T[] ToArray() => _buffer.GetAsArray1D();
    public void Clear() => _buffer.MemSetToZero();

    public void Dispose() => _buffer.Dispose();
}
