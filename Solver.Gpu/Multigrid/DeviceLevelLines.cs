using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>A level's line relaxation on the device (Core's <see cref="LevelLines"/>, flat cells), float32: the rows in
/// line order with their chains' factors and their other couplings, and each colour's lines.</summary>
internal sealed class DeviceLevelLines(Accelerator accelerator, LevelLines lines) : IDisposable
{
    public DeviceVector<int> Order { get; } = new(accelerator, lines.Order);
    public DeviceVector<float> Lower { get; } = new(accelerator, Single(lines.Lower));
    public DeviceVector<float> Inverse { get; } = new(accelerator, Single(lines.Inverse));
    public DeviceVector<float> Upper { get; } = new(accelerator, Single(lines.Upper));
    public DeviceVector<int> Segments { get; } = new(accelerator, lines.Segments);
    public DeviceVector<int> AcrossStart { get; } = new(accelerator, lines.AcrossStart);
    // a level without couplings across still needs buffers to bind
    public DeviceVector<int> AcrossColumns { get; } = new(accelerator, lines.AcrossColumns.Length > 0 ? lines.AcrossColumns : [0]);
    public DeviceVector<float> AcrossValues { get; } = new(accelerator, lines.AcrossValues.Length > 0 ? Single(lines.AcrossValues) : [0f]);
    public DeviceVector<int>[] LineFirsts { get; } = [Lines(accelerator, lines.LineFirsts(0)), Lines(accelerator, lines.LineFirsts(1))];
    public DeviceVector<int>[] LineEnds { get; } = [Lines(accelerator, lines.LineEnds(0)), Lines(accelerator, lines.LineEnds(1))];
    /// <summary>How many lines each colour has.</summary>
    public int[] Count { get; } = [lines.LineFirsts(0).Length, lines.LineFirsts(1).Length];

    static float[] Single(double[] values) => [.. values.Select(v => (float)v)];
    static DeviceVector<int> Lines(Accelerator accelerator, int[] lines) => new(accelerator, lines.Length > 0 ? lines : [0]);

    public void Dispose()
    {
        foreach (var v in new[] { Order, Segments, AcrossStart, AcrossColumns, LineFirsts[0], LineFirsts[1], LineEnds[0], LineEnds[1] }) v.Dispose();
        foreach (var v in new[] { Lower, Inverse, Upper, AcrossValues }) v.Dispose();
    }
}
