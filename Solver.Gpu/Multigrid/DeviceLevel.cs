using Dcdm.Gpu.Devices;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// One level of the device hierarchy: its size, operator (one diagonal byte per cell, times <see cref="Scale"/>)
/// and float32 vectors. The finest level has no B and X of its own (the cycle's input and output are), the
/// coarsest no Work (it is smoothed, not restricted).
/// </summary>
sealed class DeviceLevel(LevelShape shape, float scale, DeviceVector<byte> diagonal, DeviceVector<float>? b, DeviceVector<float>? x, DeviceVector<float>? work) : IDisposable
{
    public LevelShape Shape { get; } = shape;
    public float Scale { get; } = scale;
    public DeviceVector<byte> Diagonal { get; } = diagonal;
    public DeviceVector<float>? B { get; } = b;
    public DeviceVector<float>? X { get; } = x;
    public DeviceVector<float>? Work { get; } = work;

    public void Dispose()
    {
        Diagonal.Dispose();
        B?.Dispose();
        X?.Dispose();
        Work?.Dispose();
    }
}
