using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// P between two levels of the aggregate hierarchy on the device: each fine row's aggregate (the parent map, -1: none)
/// for the prolongation, and each aggregate's members (a counting sort of it) for the restriction. Where P's entry is
/// not 1 (a <see cref="ProlongationShape"/>: the first transfer from a grid or from a voxel operator's cells), each aggregate also lists its shaped
/// members with p - 1, so both transfers add those cells' share in a second pass over the shaped cells alone.
/// </summary>
internal sealed class DeviceTransfer : IDisposable
{
    public int FineRows { get; }
    public int CoarseRows { get; }
    public DeviceVector<int> Parent { get; }
    public DeviceVector<int> MemberStart { get; }
    public DeviceVector<int> Members { get; }

    /// <summary>The shaped members (null: P piecewise constant): aggregate a's in [ShapedStart[a], ShapedStart[a + 1]).</summary>
    public ShapedMembers? Shaped { get; }

    internal sealed class ShapedMembers(Accelerator accelerator, int[] start, int[] cells, float[] extra) : IDisposable
    {
        public int Count { get; } = cells.Length;
        public DeviceVector<int> Start { get; } = new(accelerator, start);
        public DeviceVector<int> Cells { get; } = new(accelerator, cells);
        /// <summary>p - 1 per shaped member: the share beyond the piecewise-constant pass.</summary>
        public DeviceVector<float> Extra { get; } = new(accelerator, extra);

        public void Dispose()
        {
            Start.Dispose(); Cells.Dispose(); Extra.Dispose();
        }
    }

    /// <param name="shape">P's entries that are not 1, by fine row (null: none); cells without an aggregate are skipped.</param>
    public DeviceTransfer(Accelerator accelerator, int[] parent, int coarseRows, ProlongationShape? shape = null)
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
        if (shape is not null) Shaped = ByAggregate(accelerator, parent, coarseRows, shape);
    }

    static ShapedMembers? ByAggregate(Accelerator accelerator, int[] parent, int coarseRows, ProlongationShape shape)
    {
        if (shape.Cells.Length > 0 && shape.Cells[^1] >= parent.Length)
            throw new ArgumentException($"the prolongation's shape names cell {shape.Cells[^1]}, past the level's {parent.Length} rows", nameof(shape));
        var start = new int[coarseRows + 1];
        foreach (int i in shape.Cells) if (parent[i] >= 0) start[parent[i] + 1]++;
        for (int a = 0; a < coarseRows; a++) start[a + 1] += start[a];
        if (start[coarseRows] == 0) return null;
        var cells = new int[start[coarseRows]];
        var extra = new float[cells.Length];
        var fill = start[..^1];
        for (int k = 0; k < shape.Cells.Length; k++)
        {
            int i = shape.Cells[k], a = parent[i];
            if (a < 0) continue;
            cells[fill[a]] = i;
            extra[fill[a]++] = shape.Values[k] - 1;
        }
        return new ShapedMembers(accelerator, start, cells, extra);
    }

    public void Dispose()
    {
        Parent.Dispose(); MemberStart.Dispose(); Members.Dispose(); Shaped?.Dispose();
    }
}
