using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The ILGPU kernels of the Krylov solvers, each a plain static method with its math in a comment,
/// loaded once per accelerator. Plain C# references: Core's CsrMatrix.Multiply, PoissonGrid.Apply and
/// VectorOps (tests compare them on the CPU accelerator). Reductions accumulate in double: a grid-stride
/// loop, a tree in shared memory, one atomic add per group.
/// </summary>
public sealed class KrylovKernels
{
    readonly Accelerator _accelerator;
    readonly int _groupSize;
    readonly int _maxGroups;

    readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _csrThreadPerRow;
    readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _csrWarpPerRow;
    readonly Action<Index1D, ArrayView<byte>, int, int, int, ArrayView<double>, ArrayView<double>> _stencil;
    readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>> _dot;
    readonly Action<Index1D, double, ArrayView<double>, ArrayView<double>> _axpy;
    readonly Action<Index1D, ArrayView<double>, double, ArrayView<double>> _xpay;
    readonly Action<KernelConfig, double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>> _update;
    readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>> _multiply;
    readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>> _subtract;
    readonly MemoryBuffer1D<double, Stride1D.Dense> _scalar;

    internal KrylovKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * 4);
        _csrThreadPerRow = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(CsrThreadPerRow);
        _csrWarpPerRow = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(CsrWarpPerRow);
        _stencil = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<byte>, int, int, int, ArrayView<double>, ArrayView<double>>(StencilFromFlags);
        _dot = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>>(Dot);
        _axpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, ArrayView<double>>(Axpy);
        _xpay = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, double, ArrayView<double>>(Xpay);
        _update = accelerator.LoadStreamKernel<double, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(UpdateSolutionAndResidual);
        _multiply = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(MultiplyElementwise);
        _subtract = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(Subtract);
        _scalar = accelerator.Allocate1D<double>(1);
    }

    /// <summary>Rows averaging at least this many entries get a warp each; shorter rows a thread each.</summary>
    public const double WarpPerRowThreshold = 12;

    // ---- launchers --------------------------------------------------------------------------

    public void CsrSpmv(DeviceCsr a, ArrayView<double> x, ArrayView<double> y)
    {
        if (a.AverageRowLength >= WarpPerRowThreshold) CsrSpmvWarpPerRow(a, x, y);
        else CsrSpmvThreadPerRow(a, x, y);
    }

    public void CsrSpmvThreadPerRow(DeviceCsr a, ArrayView<double> x, ArrayView<double> y) =>
        _csrThreadPerRow(a.Rows, a.RowPointers, a.ColumnIndices, a.Values, x, y);

    public void CsrSpmvWarpPerRow(DeviceCsr a, ArrayView<double> x, ArrayView<double> y)
    {
        int warp = _accelerator.WarpSize;
        int groupSize = Math.Max(warp, _groupSize / warp * warp);
        long threads = (long)a.Rows * warp;
        int groups = (int)Math.Min((threads + groupSize - 1) / groupSize, int.MaxValue);
        _csrWarpPerRow(new KernelConfig(groups, groupSize), a.RowPointers, a.ColumnIndices, a.Values, x, y);
    }

    public void Stencil(ArrayView<byte> flags, int nx, int ny, int nz, ArrayView<double> x, ArrayView<double> y) =>
        _stencil((int)flags.Length, flags, nx, ny, nz, x, y);

    public double Dot(ArrayView<double> a, ArrayView<double> b)
    {
        _scalar.MemSetToZero();
        _dot(Config(a.Length), a, b, _scalar.View);
        return ReadScalar();
    }

    public void Axpy(double alpha, ArrayView<double> x, ArrayView<double> y) => _axpy((int)x.Length, alpha, x, y);
    public void Xpay(ArrayView<double> x, double beta, ArrayView<double> y) => _xpay((int)x.Length, x, beta, y);

    public double UpdateSolutionAndResidual(double alpha, ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r)
    {
        _scalar.MemSetToZero();
        _update(Config(x.Length), alpha, p, q, x, r, _scalar.View);
        return ReadScalar();
    }

    public void MultiplyElementwise(ArrayView<double> a, ArrayView<double> b, ArrayView<double> into) => _multiply((int)a.Length, a, b, into);
    public void Subtract(ArrayView<double> a, ArrayView<double> b, ArrayView<double> into) => _subtract((int)a.Length, a, b, into);

    KernelConfig Config(long n)
    {
        int groups = (int)Math.Clamp((n + _groupSize - 1) / _groupSize, 1, _maxGroups);
        return new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(_groupSize));
    }

    double ReadScalar()
    {
        double value = 0;
        _scalar.View.CopyToCPU(ref value, 1);
        return value;
    }

    // ---- kernels ----------------------------------------------------------------------------

    /// <summary>y_i = sum_k val_k x_col_k over row i; one thread per row.</summary>
    static void CsrThreadPerRow(Index1D row, ArrayView<int> ptr, ArrayView<int> col, ArrayView<double> val, ArrayView<double> x, ArrayView<double> y)
    {
        double s = 0;
        for (int k = ptr[row]; k < ptr[row + 1]; k++) s += val[k] * x[col[k]];
        y[row] = s;
    }

    /// <summary>y_i = sum_k val_k x_col_k; one warp per row, lanes stride the row, then a shuffle reduction.</summary>
    static void CsrWarpPerRow(ArrayView<int> ptr, ArrayView<int> col, ArrayView<double> val, ArrayView<double> x, ArrayView<double> y)
    {
        int row = Grid.GlobalIndex.X / Warp.WarpSize;
        int lane = Warp.LaneIdx;
        double s = 0;
        if (row < y.Length)
            for (int k = ptr[row] + lane; k < ptr[row + 1]; k += Warp.WarpSize) s += val[k] * x[col[k]];
        for (int offset = Warp.WarpSize / 2; offset > 0; offset /= 2) s += Warp.ShuffleDown(s, offset);
        if (lane == 0 && row < y.Length) y[row] = s;
    }

    /// <summary>
    /// The 7-point voxel operator from byte flags (0 solid, 1 fluid, 2 air), full grid, one thread per cell:
    /// y_i = d_i x_i - sum_{fluid j ~ i} x_j with d_i the number of non-solid neighbours; y = 0 off fluid.
    /// </summary>
    static void StencilFromFlags(Index1D i, ArrayView<byte> flags, int nx, int ny, int nz, ArrayView<double> x, ArrayView<double> y)
    {
        if (flags[i] != 1) { y[i] = 0; return; }
        int cx = i % nx, cy = i / nx % ny, cz = i / (nx * ny);
        double diag = 0, off = 0;
        Neighbour(cx > 0, i - 1, flags, x, ref diag, ref off);
        Neighbour(cx < nx - 1, i + 1, flags, x, ref diag, ref off);
        Neighbour(cy > 0, i - nx, flags, x, ref diag, ref off);
        Neighbour(cy < ny - 1, i + nx, flags, x, ref diag, ref off);
        Neighbour(cz > 0, i - nx * ny, flags, x, ref diag, ref off);
        Neighbour(cz < nz - 1, i + nx * ny, flags, x, ref diag, ref off);
        y[i] = diag * x[i] - off;
    }

    static void Neighbour(bool inside, int j, ArrayView<byte> flags, ArrayView<double> x, ref double diag, ref double off)
    {
        if (!inside) return;
        byte f = flags[j];
        if (f == 0) return;
        diag += 1;
        if (f == 1) off += x[j];
    }

    /// <summary>result += sum_i a_i b_i (result zeroed by the caller).</summary>
    static void Dot(ArrayView<double> a, ArrayView<double> b, ArrayView<double> result)
    {
        double s = 0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < a.Length; i += stride) s += a[i] * b[i];
        GroupReduction.SumToResult(s, result);
    }

    /// <summary>y_i += alpha x_i.</summary>
    static void Axpy(Index1D i, double alpha, ArrayView<double> x, ArrayView<double> y) => y[i] += alpha * x[i];

    /// <summary>y_i = x_i + beta y_i.</summary>
    static void Xpay(Index1D i, ArrayView<double> x, double beta, ArrayView<double> y) => y[i] = x[i] + beta * y[i];

    /// <summary>
    /// x_i += alpha p_i; r_i -= alpha q_i; result += r_i^2. One pass: 48 bytes per unknown
    /// instead of 64 for two axpys and a dot.
    /// </summary>
    static void UpdateSolutionAndResidual(double alpha, ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r, ArrayView<double> result)
    {
        double s = 0;
        int stride = Grid.DimX * Group.DimX;
        for (int i = Grid.GlobalIndex.X; i < x.Length; i += stride)
        {
            x[i] += alpha * p[i];
            double ri = r[i] - alpha * q[i];
            r[i] = ri;
            s += ri * ri;
        }
        GroupReduction.SumToResult(s, result);
    }

    /// <summary>into_i = a_i b_i (Jacobi: z = D^-1 r).</summary>
    static void MultiplyElementwise(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> into) => into[i] = a[i] * b[i];

    /// <summary>into_i = a_i - b_i (r = b - A x).</summary>
    static void Subtract(Index1D i, ArrayView<double> a, ArrayView<double> b, ArrayView<double> into) => into[i] = a[i] - b[i];
}
