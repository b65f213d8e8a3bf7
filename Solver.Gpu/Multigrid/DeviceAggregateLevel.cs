using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>A coarse level of the aggregate hierarchy on the device, float32: its CSR couplings, diagonal and colour split.</summary>
internal sealed class DeviceAggregateLevel(Accelerator accelerator, AggregateLevel level) : IDisposable
{
    public int Rows { get; } = level.Rows;
    public int FirstOdd { get; } = level.FirstOdd;
    public DeviceVector<int> RowStart { get; } = new(accelerator, level.RowStart);
    // a level without couplings still needs a buffer to bind
    public DeviceVector<int> Columns { get; } = new(accelerator, level.Columns.Length > 0 ? level.Columns : [0]);
    public DeviceVector<float> Values { get; } = new(accelerator, level.Values.Length > 0 ? [.. level.Values.Select(v => (float)v)] : [0f]);
    public DeviceVector<float> Diagonal { get; } = new(accelerator, [.. level.Diagonal.Select(v => (float)v)]);
    /// <summary>The rows that start a block, then the level's rows (<see cref="AggregateLevel.BlockStarts"/>): a sweep runs a
    /// thread per block of the colour, its rows in order (pieces of one block may be coupled).</summary>
    public DeviceVector<int> BlockStarts { get; } = new(accelerator, level.BlockStarts);
    /// <summary>How many blocks hold rows, and how many of them are even (their rows below <see cref="FirstOdd"/>).</summary>
    public int Blocks { get; } = level.BlockStarts.Length - 1;
    public int EvenBlocks { get; } = EvenCount(level);

    static int EvenCount(AggregateLevel level)
    {
        int k = Array.BinarySearch(level.BlockStarts, level.FirstOdd);
        return k >= 0 ? k : ~k;
    }

    public void Dispose()
    {
        RowStart.Dispose(); Columns.Dispose(); Values.Dispose(); Diagonal.Dispose(); BlockStarts.Dispose();
    }
}
