using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>A coarse level of the aggregate hierarchy on the device, float32: its CSR couplings, diagonal and colour split.</summary>
internal sealed class DeviceAggregateLevel : IDisposable
{
    public int Rows { get; }
    public int FirstOdd { get; }
    public DeviceVector<int> RowStart { get; }
    public DeviceVector<int> Columns { get; }
    public DeviceVector<float> Values { get; }
    public DeviceVector<float> Diagonal { get; }

    public DeviceAggregateLevel(Accelerator accelerator, AggregateLevel level)
    {
        (Rows, FirstOdd) = (level.Rows, level.FirstOdd);
        RowStart = new DeviceVector<int>(accelerator, level.RowStart);
        // a level without couplings still needs a buffer to bind
        Columns = new DeviceVector<int>(accelerator, level.Columns.Length > 0 ? level.Columns : [0]);
        Values = new DeviceVector<float>(accelerator, level.Values.Length > 0 ? [.. level.Values.Select(v => (float)v)] : [0f]);
        Diagonal = new DeviceVector<float>(accelerator, [.. level.Diagonal.Select(v => (float)v)]);
    }

    public void Dispose()
    {
        RowStart.Dispose(); Columns.Dispose(); Values.Dispose(); Diagonal.Dispose();
    }
}
