using Dcdm.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// The device kernels of the aggregate hierarchy's coarse levels (Core's <c>AggregateLevel</c>: CSR off-diagonal
/// couplings, a diagonal, rows ordered by block colour) and of its transfers, float32, one thread per row or cell.
/// Plain C# references: AggregateLevel's Multiply, Residual and GaussSeidelColour, and the parent map's sums; the tests
/// compare each kernel with them on the CPU accelerator; <see cref="GpuAggregateMultigrid"/> runs them.
/// </summary>
internal sealed class AggregateKernels
{
    readonly Action<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _relax;
    readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _residual;
    readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _multiply;
    readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>> _restrict;
    readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _restrictShaped;
    readonly Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>> _prolong;
    readonly Action<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>> _prolongShaped;
    readonly Action<Index1D, float, ArrayView<float>, float, ArrayView<float>, ArrayView<float>> _combine;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>> _dot;
    readonly Action<Index1D, int, LineViews, ArrayView<float>, ArrayView<float>> _lines;
    readonly int _groupSize, _maxGroups;
    readonly Accelerator _accelerator;
    readonly MemoryBuffer1D<double, Stride1D.Dense> _sum;
    readonly double[] _read = new double[1];

    internal AggregateKernels(Accelerator accelerator)
    {
        _relax = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>>(RelaxKernel);
        _residual = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>, ArrayView<float>>(ResidualKernel);
        _multiply = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(MultiplyKernel);
        _restrict = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(RestrictKernel);
        _restrictShaped = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>,
            ArrayView<float>, ArrayView<float>>(RestrictShapedKernel);
        _prolong = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<float>>(ProlongKernel);
        _prolongShaped = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<float>, ArrayView<int>, ArrayView<float>, ArrayView<float>>(ProlongShapedKernel);
        _combine = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, float, ArrayView<float>, ArrayView<float>>(CombineKernel);
        _dot = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>>(DotKernel);
        _lines = accelerator.LoadAutoGroupedStreamKernel<Index1D, int, LineViews, ArrayView<float>, ArrayView<float>>(LinesKernel);
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / _groupSize));
        _accelerator = accelerator;
        _sum = accelerator.Allocate1D<double>(1);
    }

    /// <summary>into = a x + b y (into may be x or y).</summary>
    public void Combine(float a, ArrayView<float> x, float b, ArrayView<float> y, ArrayView<float> into) => _combine((int)x.Length, a, x, b, y, into);

    /// <summary>x.y in double, waited for (the K-cycle's step lengths decide on the host).</summary>
    public double Dot(ArrayView<float> x, ArrayView<float> y)
    {
        _sum.MemSetToZero();
        int groups = (int)Math.Clamp((x.Length + _groupSize - 1) / _groupSize, 1, _maxGroups);
        _dot(new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(_groupSize)), x, y, _sum.View);
        _accelerator.Synchronize();
        ArrayView<double> sum = _sum.View;
        sum.CopyToCPU(_read.AsSpan());
        return _read[0];
    }

    /// <summary>
    /// Gauss-Seidel on one colour's rows (0: rows below firstOdd), in place, a thread per block of the colour relaxing
    /// its rows in order: a row couples to the other colour and, where a weak coupling kept a block's pieces apart, to
    /// its own block's rows (as AggregateLevel's sweep).
    /// </summary>
    public void GaussSeidelColour(DeviceAggregateLevel l, ArrayView<float> b, ArrayView<float> x, int colour)
    {
        int first = colour == 0 ? 0 : l.EvenBlocks, count = colour == 0 ? l.EvenBlocks : l.Blocks - l.EvenBlocks;
        if (count > 0) _relax(count, first, l.BlockStarts.View, l.RowStart.View, l.Columns.View, l.Values.View, l.Diagonal.View, b, x);
    }

    /// <summary>
    /// Line Gauss-Seidel on one colour's lines (flat cells; Core's LevelLines), in place, a thread per line: its segments
    /// in order (<paramref name="forward"/>) or from its end, each a chain solved for its own couplings (Thomas) with
    /// the rest of each row's couplings held. Lines of one colour never touch.
    /// </summary>
    public void LineColour(DeviceAggregateLevel l, DeviceLevelLines lines, ArrayView<float> b, ArrayView<float> x, int colour, bool forward)
    {
        if (lines.Count[colour] == 0) return;
        var views = new LineViews(lines.LineFirsts[colour].View, lines.LineEnds[colour].View, lines.Segments.View, lines.Order.View,
            lines.Lower.View, lines.Inverse.View, lines.Upper.View, lines.AcrossStart.View, lines.AcrossColumns.View, lines.AcrossValues.View);
        _lines(lines.Count[colour], forward ? 1 : 0, views, b, x);
    }

    /// <summary>A level's lines as the kernel reads them (a struct: a kernel takes at most so many arguments).</summary>
    internal readonly struct LineViews(ArrayView<int> firsts, ArrayView<int> ends, ArrayView<int> segments, ArrayView<int> order,
        ArrayView<float> lower, ArrayView<float> inverse, ArrayView<float> upper, ArrayView<int> acrossStart, ArrayView<int> acrossColumns,
        ArrayView<float> acrossValues)
    {
        public readonly ArrayView<int> Firsts = firsts, Ends = ends, Segments = segments, Order = order, AcrossStart = acrossStart, AcrossColumns = acrossColumns;
        public readonly ArrayView<float> Lower = lower, Inverse = inverse, Upper = upper, AcrossValues = acrossValues;
    }

    static void LinesKernel(Index1D t, int forward, LineViews v, ArrayView<float> b, ArrayView<float> x)
    {
        int first = v.Firsts[t], end = v.Ends[t];
        for (int n = 0; n < end - first; n++)
        {
            int s = forward != 0 ? first + n : end - 1 - n;
            int from = v.Segments[s], to = v.Segments[s + 1];
            float last = 0;
            for (int k = from; k < to; k++)
            {
                int i = v.Order[k];
                float sum = b[i];
                for (int e = v.AcrossStart[k]; e < v.AcrossStart[k + 1]; e++) sum -= v.AcrossValues[e] * x[v.AcrossColumns[e]];
                last = (sum - v.Lower[k] * last) * v.Inverse[k];
                x[i] = last;
            }
            for (int k = to - 2; k >= from; k--) x[v.Order[k]] -= v.Upper[k] * x[v.Order[k + 1]];
        }
    }

    /// <summary>r = b - A x.</summary>
    public void Residual(DeviceAggregateLevel l, ArrayView<float> b, ArrayView<float> x, ArrayView<float> r) =>
        _residual(l.Rows, l.RowStart.View, l.Columns.View, l.Values.View, l.Diagonal.View, b, x, r);

    /// <summary>y = A x.</summary>
    public void Multiply(DeviceAggregateLevel l, ArrayView<float> x, ArrayView<float> y) =>
        _multiply(l.Rows, l.RowStart.View, l.Columns.View, l.Values.View, l.Diagonal.View, x, y);

    /// <summary>
    /// coarse = P^T fine: each aggregate sums its members (a gather per row, no atomics, the same sum every time), and
    /// with a shape adds (p - 1) fine_i over its shaped members in the same thread (4 bytes more per aggregate, 12 per shaped cell).
    /// </summary>
    public void Restrict(DeviceTransfer t, ArrayView<float> fine, ArrayView<float> coarse)
    {
        if (t.Shaped is not { } s) _restrict(t.CoarseRows, t.MemberStart.View, t.Members.View, fine, coarse);
        else _restrictShaped(t.CoarseRows, t.MemberStart.View, t.Members.View, s.Start.View, s.Cells.View, s.Extra.View, fine, coarse);
    }

    /// <summary>
    /// fine += P coarse: each member takes its aggregate's value (none: -1); with a shape, a second pass over the shaped
    /// cells alone adds (p - 1) coarse_a (each cell once, so no two threads write one row).
    /// </summary>
    public void ProlongAdd(DeviceTransfer t, ArrayView<float> coarse, ArrayView<float> fine)
    {
        _prolong(t.FineRows, t.Parent.View, coarse, fine);
        if (t.Shaped is { } s) _prolongShaped(s.Count, s.Cells.View, s.Extra.View, t.Parent.View, coarse, fine);
    }

    static void CombineKernel(Index1D i, float a, ArrayView<float> x, float b, ArrayView<float> y, ArrayView<float> into) => into[i] = a * x[i] + b * y[i];

    static void DotKernel(ArrayView<float> x, ArrayView<float> y, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX;
        double s = 0;
        for (int i = Grid.GlobalIndex.X; i < x.Length; i += stride) s += (double)x[i] * y[i];
        GroupReduction.SumToResult(s, result);
    }

    static float Couplings(int i, ArrayView<int> rowStart, ArrayView<int> columns, ArrayView<float> values, ArrayView<float> x)
    {
        float s = 0;
        for (int k = rowStart[i]; k < rowStart[i + 1]; k++) s += values[k] * x[columns[k]];
        return s;
    }

    static void RelaxKernel(Index1D t, int firstBlock, ArrayView<int> blockStarts, ArrayView<int> rowStart, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> diagonal, ArrayView<float> b, ArrayView<float> x)
    {
        for (int i = blockStarts[firstBlock + t], end = blockStarts[firstBlock + t + 1]; i < end; i++)
        {
            float d = diagonal[i];
            x[i] = d > 0 ? (b[i] - Couplings(i, rowStart, columns, values, x)) / d : 0;
        }
    }

    static void ResidualKernel(Index1D i, ArrayView<int> rowStart, ArrayView<int> columns, ArrayView<float> values, ArrayView<float> diagonal,
        ArrayView<float> b, ArrayView<float> x, ArrayView<float> r) =>
        r[i] = b[i] - diagonal[i] * x[i] - Couplings(i, rowStart, columns, values, x);

    static void MultiplyKernel(Index1D i, ArrayView<int> rowStart, ArrayView<int> columns, ArrayView<float> values, ArrayView<float> diagonal,
        ArrayView<float> x, ArrayView<float> y) =>
        y[i] = diagonal[i] * x[i] + Couplings(i, rowStart, columns, values, x);

    static void RestrictKernel(Index1D a, ArrayView<int> memberStart, ArrayView<int> members, ArrayView<float> fine, ArrayView<float> coarse)
    {
        float s = 0;
        for (int k = memberStart[a]; k < memberStart[a + 1]; k++) s += fine[members[k]];
        coarse[a] = s;
    }

    static void ProlongKernel(Index1D i, ArrayView<int> parent, ArrayView<float> coarse, ArrayView<float> fine)
    {
        int a = parent[i];
        if (a >= 0) fine[i] += coarse[a];
    }

    static void RestrictShapedKernel(Index1D a, ArrayView<int> memberStart, ArrayView<int> members, ArrayView<int> shapedStart, ArrayView<int> shapedCells,
        ArrayView<float> extra, ArrayView<float> fine, ArrayView<float> coarse)
    {
        float s = 0;
        for (int k = memberStart[a]; k < memberStart[a + 1]; k++) s += fine[members[k]];
        for (int k = shapedStart[a]; k < shapedStart[a + 1]; k++) s += extra[k] * fine[shapedCells[k]];
        coarse[a] = s;
    }

    static void ProlongShapedKernel(Index1D k, ArrayView<int> shapedCells, ArrayView<float> extra, ArrayView<int> parent, ArrayView<float> coarse, ArrayView<float> fine)
    {
        int i = shapedCells[k];
        fine[i] += extra[k] * coarse[parent[i]];
    }
}
