using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Multigrid;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Sparse;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// A voxel operator with per-face coefficients on the device: vectors on the rows of its K-cycle's first level (the
/// unknowns, red cells first), the float32 product that level's CSR, the double one the same rows in a
/// <see cref="DeviceCsr"/>; the frame's vectors (on the unknowns, ascending cells) are reordered on the way in and out.
/// </summary>
internal sealed class DeviceVoxelOperator : IDeviceOperator
{
    readonly GpuDevice _device;
    readonly GpuAggregateMultigrid _multigrid;
    readonly DeviceCsr _matrix;
    readonly DeviceVector<double> _work;
    readonly int[] _row; // the frame's k-th unknown's row
    readonly double[] _rows; // a frame vector in row order, on the host

    /// <param name="sweeps">The K-cycle's sweeps before and after each coarse correction on the cells (the coarse levels take
    /// <see cref="AggregateMultigrid.CoarseSweepsOnFaces"/>, as the CPU cycle).</param>
    /// <exception cref="InvalidSystemException">The diagonals lie outside what the float32 cycle holds
    /// (<see cref="GpuMultigridConjugateGradient.FloatCycleRefusal"/>); checked before anything is put on the device.</exception>
    public DeviceVoxelOperator(GpuDevice device, VoxelOperator op, ReducedSystem unknowns, int sweeps = AggregateMultigrid.OperatorSweeps)
    {
        _device = device;
        var diagonal = unknowns.DiagonalOf(op);
        if (GpuMultigridConjugateGradient.FloatCycleRefusal(diagonal) is { } refusal) throw new InvalidSystemException(refusal);
        var hierarchy = new AggregateHierarchy(op, AggregateMultigrid.DefaultGalerkinScale, diagonal, Dcdm.Multigrid.LineAxis.Of(op));
        var cells = unknowns.Active ?? [.. Enumerable.Range(0, op.CellCount)];
        _row = [.. cells.Select(c => hierarchy.FineParent[c])];
        if (_row.Any(r => r < 0)) throw new ArgumentException("the unknowns are not this operator's (a cell without a diagonal)", nameof(unknowns));
        var first = hierarchy.Levels[0];
        _multigrid = new GpuAggregateMultigrid(device, hierarchy, sweeps, AggregateMultigrid.CoarseSweepsOnFaces(sweeps));
        _matrix = new DeviceCsr(device.Accelerator, WithDiagonal(first));
        _work = new DeviceVector<double>(device.Accelerator, first.Rows);
        _rows = new double[first.Rows];
    }

    /// <summary>A level's operator as one CSR matrix, the diagonal among the couplings (what the double product reads).</summary>
    static CsrMatrix WithDiagonal(AggregateLevel level)
    {
        int n = level.Rows;
        var start = new int[n + 1];
        for (int i = 0; i < n; i++) start[i + 1] = start[i] + 1 + level.RowStart[i + 1] - level.RowStart[i];
        var columns = new int[start[n]];
        var values = new double[start[n]];
        for (int i = 0; i < n; i++)
        {
            int k = start[i];
            columns[k] = i; values[k++] = level.Diagonal[i];
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++) { columns[k] = level.Columns[e]; values[k++] = level.Values[e]; }
        }
        return new CsrMatrix(n, n, start, columns, values);
    }

    public int Length => _rows.Length;
    public int LevelCount => _multigrid.LevelCount;
    public int LineAxis => _multigrid.LineAxisRelaxed;
    public SolveFrame.Layout FrameLayout => SolveFrame.Layout.Unknowns;

    public double Residual(ArrayView<double> b, ArrayView<double> x, ArrayView<float> r, double scale, bool write, ArrayView<double> scalar)
    {
        var k = _device.Kernels;
        Multiply(x, _work.View);
        k.Subtract(b, _work.View, _work.View);
        if (write) _device.NetworkKernels.ToFloat(scale, _work.View, r);
        return Math.Sqrt(k.Dot(_work.View, _work.View));
    }

    /// <summary>The unknowns of an operator as the device solvers take them (from its full-grid CSR matrix).</summary>
    public static ReducedSystem UnknownsOf(VoxelOperator op) => new(op.ToCsr());

    /// <summary>y = A x in double (the rows' CSR, the diagonal among the couplings).</summary>
    public void Multiply(ArrayView<double> x, ArrayView<double> y) => _device.Kernels.CsrSpmv(_matrix, x, y);

    public void MultiplyAndDot(ArrayView<float> p, ArrayView<float> q, ArrayView<double> scalar)
    {
        _device.AggregateKernels.Multiply(_multigrid.FirstLevel, p, q);
        _device.GridKernels.Dot(p, q, scalar);
    }

    public void Precondition(ArrayView<float> r, ArrayView<float> z) => _multigrid.ApplyOnFirstLevel(r, z);

    public void Upload(double[] host, DeviceVector<double> device)
    {
        Array.Clear(_rows); // rows beyond the unknowns (none when the unknowns are the operator's) stay 0
        for (int k = 0; k < host.Length; k++) _rows[_row[k]] = host[k];
        device.Upload(_rows);
    }

    public void Download(DeviceVector<double> device, double[] host)
    {
        device.Download(_rows);
        for (int k = 0; k < host.Length; k++) host[k] = _rows[_row[k]];
    }

    public void Dispose()
    {
        _multigrid.Dispose(); _matrix.Dispose(); _work.Dispose();
    }
}
