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

    public void Dispose()
    {
        RowStart.Dispose(); Columns.Dispose(); Values.Dispose(); Diagonal.Dispose();
    }
}
