using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>A level's line relaxation on the device (Core's <see cref="LevelLines"/>, flat cells), float32: the rows in
/// line order with their chains' factors, the level's couplings without the chains' own, and each colour's lines.</summary>
internal sealed class DeviceLevelLines(Accelerator accelerator, LevelLines lines) : IDisposable
{
    public DeviceVector<int> Order { get; } = new(accelerator, lines.Order);
    public DeviceVector<float> Lower { get; } = new(accelerator, Single(lines.Lower));
    public DeviceVector<float> Inverse { get; } = new(accelerator, Single(lines.Inverse));
    public DeviceVector<float> Upper { get; } = new(accelerator, Single(lines.Upper));
    public DeviceVector<int> Segments { get; } = new(accelerator, lines.Segments);
    // a level without couplings still needs a buffer to bind
    public DeviceVector<float> Across { get; } = new(accelerator, lines.Across.Length > 0 ? Single(lines.Across) : [0f]);
    public DeviceVector<int>[] LineFirsts { get; } = [Lines(accelerator, lines.LineFirsts(0)), Lines(accelerator, lines.LineFirsts(1))];
    public DeviceVector<int>[] LineEnds { get; } = [Lines(accelerator, lines.LineEnds(0)), Lines(accelerator, lines.LineEnds(1))];
    /// <summary>How many lines each colour has.</summary>
    public int[] Count { get; } = [lines.LineFirsts(0).Length, lines.LineFirsts(1).Length];

    static float[] Single(double[] values) => [.. values.Select(v => (float)v)];
    static DeviceVector<int> Lines(Accelerator accelerator, int[] lines) => new(accelerator, lines.Length > 0 ? lines : [0]);

    public void Dispose()
    {
        foreach (var v in new[] { Order, Segments, LineFirsts[0], LineFirsts[1], LineEnds[0], LineEnds[1] }) v.Dispose();
        foreach (var v in new[] { Lower, Inverse, Upper, Across }) v.Dispose();
    }
}
