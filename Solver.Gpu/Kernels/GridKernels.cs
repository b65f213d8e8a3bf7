using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu;

/// <summary>
/// Kernels of the matrix-free voxel solver on the full grid. The operator is stored as one byte per
/// cell, its diagonal d_i (open neighbours of a fluid cell; 0 off the unknowns), and every vector is
/// kept 0 off the unknowns, so (A p)_i = d_i p_i - sum of the 6 neighbours' p, with no flag tests:
/// 1 byte of operator per cell instead of 7 flag reads. Plain C# reference: PoissonGrid.Apply.
/// Reductions accumulate in double (<see cref="GroupReduction"/>).
/// </summary>
public sealed class GridKernels
{
    /// <summary>z planes per work item of the column kernels (measured by dcdm bench).</summary>
    public const int DefaultChunk = 16;

    readonly Accelerator _accelerator;
    readonly int _groupSize;
    readonly int _maxGroups;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencil;
    readonly Action<Index1D, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencilCells;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>> _residual;
    readonly Action<KernelConfig, GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep> _direction;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double> _update;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>> _dot;
    readonly Action<Index1D, double, ArrayView<float>, ArrayView<double>> _addScaled;
    readonly Action<Index1D, float, ArrayView<float>, ArrayView<float>> _axpy;
    readonly Action<Index1D, float, ArrayView<float>> _scale;

    internal GridKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / _groupSize));
        _stencil = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilColumns);
        _stencilCells = accelerator.LoadAutoGroupedStreamKernel<Index1D, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilCells);
        _residual = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>>(ResidualColumns);
        _direction = accelerator.LoadStreamKernel<GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep>(DirectionAndProductKernel);
        _update = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double>(UpdateResidualKernel);
        _dot = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>>(DotKernel);
        _addScaled = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<float>, ArrayView<double>>(AddScaled);
        _axpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(AxpyKernel);
        _scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>>(ScaleKernel);
    }

    // ---- launchers --------------------------------------------------------------------------

    /// <summary>q = A p in float32, column kernel.</summary>
    public void Stencil(GridShape shape, ArrayView<byte> diagonal, ArrayView<float> p, ArrayView<float> q) =>
        _stencil(Config(shape.Items, reduces: false), shape, diagonal, p, q);

    /// <summary>q = A p in float32, one thread per cell (the plain layout, kept to measure against).</summary>
    public void StencilOneThreadPerCell(GridShape shape, ArrayView<byte> diagonal, ArrayView<float> p, ArrayView<float> q) =>
        _stencilCells(shape.Cells, shape, diagonal, p, q);

    /// <summary>
    /// r = b - A x in double; returns ||r||. With <paramref name="into"/> given, also writes r * scale in float32
    /// (the refinement's scaled residual). <paramref name="result"/> is a one-double scratch buffer.
    /// </summary>
    public double Residual(GridShape shape, ArrayView<byte> diagonal, ArrayView<double> b, ArrayView<double> x, ArrayView<float> into, double scale, bool write, ArrayView<double> result)
    {
        result.MemSetToZero();
        _residual(Config(shape.Items, reduces: true), shape, diagonal, b, x, into, scale, write ? 1 : 0, result);
        return Math.Sqrt(Read(result));
    }

    /// <summary>CG step k, first half: p_k = r_k + beta p_{k-1}, q = A p_k, pq[k] += p_k.q; settles d += alpha_{k-1} p_{k-1}.</summary>
    public void DirectionAndProduct(GridShape shape, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step) =>
        _direction(Config(shape.Items, reduces: true), shape, v, rr, pq, step);

    /// <summary>CG step k, second half: r -= alpha_k q, rr[k+1] += r.r.</summary>
    public void UpdateResidual(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop) =>
        _update(Config(r.Length, reduces: true), r, q, rr, pq, k, stop);

    /// <summary>result[0] += a.b with double accumulation (result zeroed by the caller).</summary>
    public void Dot(ArrayView<float> a, ArrayView<float> b, ArrayView<double> result) => _dot(Config(a.Length, reduces: true), a, b, result);

    /// <summary>y += alpha x, float32.</summary>
    public void Axpy(float alpha, ArrayView<float> x, ArrayView<float> y) => _axpy((int)x.Length, alpha, x, y);

    /// <summary>x *= c, float32.</summary>
    public void Scale(float c, ArrayView<float> x) => _scale((int)x.Length, c, x);

    /// <summary>x += s d (double x, float32 d).</summary>
    public void AddScaled(double s, ArrayView<float> d, ArrayView<double> x) => _addScaled((int)x.Length, s, d, x);

    KernelConfig Config(long items, bool reduces)
    {
        int groups = (int)Math.Clamp((items + _groupSize - 1) / _groupSize, 1, _maxGroups);
        return reduces ? new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(_groupSize)) : new KernelConfig(groups, _groupSize);
    }

    static double Read(ArrayView<double> result)
    {
        double value = 0;
        result.SubView(0, 1).CopyToCPU(ref value, 1);
        return value;
    }

    // ---- kernels ----------------------------------------------------------------------------
    // Column kernels walk work items with a grid-stride loop: item t is column (t % nx, t / nx % ny)
    // over planes [c Chunk, (c+1) Chunk) with c = t / (nx ny). Neighbours in x and y come through the
    // caches; the z neighbours stay in registers, so each vector is read from memory about once.

    /// <summary>q_i = d_i p_i - sum_{j ~ i} p_j, float32.</summary>
    static void StencilColumns(GridShape s, ArrayView<byte> diag, ArrayView<float> p, ArrayView<float> q)
    {
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            int ix = t % s.Nx, rest = t / s.Nx, iy = rest % s.Ny, z0 = rest / s.Ny * s.Chunk;
            int z1 = Math.Min(z0 + s.Chunk, s.Nz);
            int i = ix + s.Nx * (iy + s.Ny * z0);
            float below = z0 > 0 ? p[i - plane] : 0f, center = p[i];
            for (int z = z0; z < z1; z++, i += plane)
            {
                float above = z + 1 < s.Nz ? p[i + plane] : 0f;
                float sides = below + above
                    + (ix > 0 ? p[i - 1] : 0f) + (ix < s.Nx - 1 ? p[i + 1] : 0f)
                    + (iy > 0 ? p[i - s.Nx] : 0f) + (iy < s.Ny - 1 ? p[i + s.Nx] : 0f);
                int d = diag[i];
                q[i] = d > 0 ? d * center - sides : 0f;
                below = center;
                center = above;
            }
        }
    }

    /// <summary>Same as <see cref="StencilColumns"/>, one thread per cell with its coordinates from divisions.</summary>
    static void StencilCells(Index1D i, GridShape s, ArrayView<byte> diag, ArrayView<float> p, ArrayView<float> q)
    {
        int d = diag[i];
        if (d == 0) { q[i] = 0f; return; }
        int plane = s.Plane, ix = i % s.Nx, iy = i / s.Nx % s.Ny, iz = i / plane;
        float sides = (ix > 0 ? p[i - 1] : 0f) + (ix < s.Nx - 1 ? p[i + 1] : 0f)
                    + (iy > 0 ? p[i - s.Nx] : 0f) + (iy < s.Ny - 1 ? p[i + s.Nx] : 0f)
                    + (iz > 0 ? p[i - plane] : 0f) + (iz < s.Nz - 1 ? p[i + plane] : 0f);
        q[i] = d * p[i] - sides;
    }

    /// <summary>r_i = b_i - (A x)_i in double on the unknowns (0 elsewhere); result += r.r; into_i = r_i scale when write != 0.</summary>
    static void ResidualColumns(GridShape s, ArrayView<byte> diag, ArrayView<double> b, ArrayView<double> x, ArrayView<float> into, double scale, int write, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        double sum = 0;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            int ix = t % s.Nx, rest = t / s.Nx, iy = rest % s.Ny, z0 = rest / s.Ny * s.Chunk;
            int z1 = Math.Min(z0 + s.Chunk, s.Nz);
            int i = ix + s.Nx * (iy + s.Ny * z0);
            double below = z0 > 0 ? x[i - plane] : 0, center = x[i];
            for (int z = z0; z < z1; z++, i += plane)
            {
                double above = z + 1 < s.Nz ? x[i + plane] : 0;
                double sides = below + above
                    + (ix > 0 ? x[i - 1] : 0) + (ix < s.Nx - 1 ? x[i + 1] : 0)
                    + (iy > 0 ? x[i - s.Nx] : 0) + (iy < s.Ny - 1 ? x[i + s.Nx] : 0);
                int d = diag[i];
                double ri = d > 0 ? b[i] - (d * center - sides) : 0;
                sum += ri * ri;
                if (write != 0) into[i] = (float)(ri * scale);
                below = center;
                center = above;
            }
        }
        GroupReduction.SumToResult(sum, result);
    }

    /// <summary>
    /// First half of CG step k (float32 vectors, double scalars rr[k] = r_k.r_k and pq[k] = p_k.A p_k):
    ///   d += alpha_{k-1} p_{k-1}        (owed by step k-1, alpha_{k-1} = rr[k-1] / pq[k-1])
    ///   p_k = r_k + beta p_{k-1}         (beta = rr[k] / rr[k-1]; computed again for each neighbour instead of a pass of its own)
    ///   q = A p_k ; pq[k] += p_k.q
    /// Step k-1 stopped (converged: rr &lt;= stop, or p.Ap not &gt; 0) makes this a no-op; a converged
    /// rr[k] leaves only the owed update. At the first step of a segment (step.First) nothing is owed, and
    /// beta is 0 for a restart, else rr[k] / rr[k-1] with both set by the host after a reliable update. Memory per cell: r, p_{k-1}, d read, d, p_k, q written, 1 byte of
    /// operator: 25 bytes, where separate xpay, SpMV, dot and axpy kernels move 45.
    /// </summary>
    static void DirectionAndProductKernel(GridShape s, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step)
    {
        int k = step.K;
        double stop = step.Stop;
        bool owed = k > step.First;
        float alphaPrevious = 0f, beta = 0f;
        double rrk = rr[k];
        if (owed)
        {
            double rrPrevious = rr[k - 1], pqPrevious = pq[k - 1];
            if (!(rrPrevious > stop && pqPrevious > 0)) return;
            alphaPrevious = (float)(rrPrevious / pqPrevious);
            beta = (float)(rrk / rrPrevious);
        }
        else if (step.Restart == 0) beta = (float)(rrk / rr[k - 1]);
        bool advance = rrk > stop;
        if (!advance && !owed) return;

        var r = v.R; var pOld = v.PPrevious; var pNew = v.PNext; var dv = v.D; var q = v.Q; var diag = v.Diagonal;
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        double sum = 0;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            int ix = t % s.Nx, rest = t / s.Nx, iy = rest % s.Ny, z0 = rest / s.Ny * s.Chunk;
            int z1 = Math.Min(z0 + s.Chunk, s.Nz);
            int i = ix + s.Nx * (iy + s.Ny * z0);
            if (!advance)
            {
                for (int z = z0; z < z1; z++, i += plane) dv[i] += alphaPrevious * pOld[i];
                continue;
            }
            float below = z0 > 0 ? r[i - plane] + beta * pOld[i - plane] : 0f;
            float center = r[i] + beta * pOld[i];
            for (int z = z0; z < z1; z++, i += plane)
            {
                if (owed) dv[i] += alphaPrevious * pOld[i];
                float above = z + 1 < s.Nz ? r[i + plane] + beta * pOld[i + plane] : 0f;
                float sides = below + above
                    + (ix > 0 ? r[i - 1] + beta * pOld[i - 1] : 0f) + (ix < s.Nx - 1 ? r[i + 1] + beta * pOld[i + 1] : 0f)
                    + (iy > 0 ? r[i - s.Nx] + beta * pOld[i - s.Nx] : 0f) + (iy < s.Ny - 1 ? r[i + s.Nx] + beta * pOld[i + s.Nx] : 0f);
                int d = diag[i];
                float qi = d > 0 ? d * center - sides : 0f;
                pNew[i] = center;
                q[i] = qi;
                sum += (double)center * qi;
                below = center;
                center = above;
            }
        }
        if (advance) GroupReduction.SumToResult(sum, pq.SubView(k, 1));
    }

    /// <summary>
    /// Second half of CG step k: alpha = rr[k] / pq[k]; r -= alpha q; rr[k+1] += r.r.
    /// 12 bytes per cell. A no-op once step k has stopped.
    /// </summary>
    static void UpdateResidualKernel(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop)
    {
        double rrk = rr[k], pqk = pq[k];
        if (!(rrk > stop && pqk > 0)) return;
        float alpha = (float)(rrk / pqk);
        int stride = Grid.DimX * Group.DimX;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < r.Length; i += stride)
        {
            float ri = r[i] - alpha * q[i];
            r[i] = ri;
            sum += (double)ri * ri;
        }
        GroupReduction.SumToResult(sum, rr.SubView(k + 1, 1));
    }

    /// <summary>result += sum_i a_i b_i, float32 inputs, double accumulation.</summary>
    static void DotKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < a.Length; i += stride) sum += (double)a[i] * b[i];
        GroupReduction.SumToResult(sum, result);
    }

    /// <summary>y_i += alpha x_i.</summary>
    static void AxpyKernel(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] += alpha * x[i];

    /// <summary>x_i *= c.</summary>
    static void ScaleKernel(Index1D i, float c, ArrayView<float> x) => x[i] *= c;

    /// <summary>x_i += s d_i.</summary>
    static void AddScaled(Index1D i, double s, ArrayView<float> d, ArrayView<double> x) => x[i] += s * d[i];
}
