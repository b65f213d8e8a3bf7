using Dcdm.Gpu.Devices;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// The piecewise-constant P between two levels of the aggregate hierarchy on the device: each fine row's aggregate
/// (the parent map, -1: none) for the prolongation, and each aggregate's members (a counting sort of it) for the restriction.
/// </summary>
internal sealed class DeviceTransfer : IDisposable
{
    public int FineRows { get; }
    public int CoarseRows { get; }
    public DeviceVector<int> Parent { get; }
    public DeviceVector<int> MemberStart { get; }
    public DeviceVector<int> Members { get; }

    public DeviceTransfer(Accelerator accelerator, int[] parent, int coarseRows)
    {
        (FineRows, CoarseRows) = (parent.Length, coarseRows);
        var start = new int[coarseRows + 1];
        foreach (int a in parent) if (a >= 0) start[a + 1]++;
        for (int a = 0; a < coarseRows; a++) start[a + 1] += start[a];
        var members = new int[Math.Max(1, start[coarseRows])];
        var fill = start[..^1];
        for (int i = 0; i < parent.Length; i++) if (parent[i] >= 0) members[fill[parent[i]]++] = i;
        Parent = new DeviceVector<int>(accelerator, parent);
        MemberStart = new DeviceVector<int>(accelerator, start);
        Members = new DeviceVector<int>(accelerator, members);
    }

    public void Dispose()
    {
        Parent.Dispose(); MemberStart.Dispose(); Members.Dispose();
    }
}
