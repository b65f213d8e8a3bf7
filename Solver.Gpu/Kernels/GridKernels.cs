using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// Kernels of the matrix-free voxel solver on the full grid. The operator is stored as one byte per
/// cell, its diagonal d_i (open neighbours of a fluid cell; 0 off the unknowns), and every vector is
/// kept 0 off the unknowns, so (A p)_i = d_i p_i - sum of the 6 neighbours' p, with no flag tests:
/// 1 byte of operator per cell instead of 7 flag reads. Plain C# reference: PoissonGrid.Apply.
/// Reductions accumulate in double (<see cref="GroupReduction"/>).
///
/// The stencil and the CG step work on quads (four cells along x): every vector is read and written
/// 16 bytes per instruction and the operator 4 (one word of diagonal bytes), a quarter of the memory
/// instructions of one cell per access for the same bytes. They need nx % 4 == 0: a grid of another
/// width runs padded with solid cells (<see cref="PaddedGrid"/>).
/// </summary>
public sealed class GridKernels
{
    /// <summary>z planes per work item of the column kernels (measured by dcdm bench).</summary>
    public const int DefaultChunk = 16;

    readonly Accelerator _accelerator;
    readonly Dictionary<(Delegate, int), int> _wave = [];
    int _groupSize;

    /// <summary>
    /// Threads per group of every grid kernel: a power of two, at most the accelerator's limit (256 unless set;
    /// the reductions halve a tree over the group). dcdm bench sweeps it.
    /// </summary>
    public int GroupSize
    {
        get => _groupSize;
        set
        {
            if (value < 1 || (value & (value - 1)) != 0 || value > _accelerator.MaxNumThreadsPerGroup)
                throw new ArgumentOutOfRangeException(nameof(value), $"GroupSize must be a power of two in [1, {_accelerator.MaxNumThreadsPerGroup}], got {value}");
            _groupSize = value;
        }
    }

    int MaxGroups => Math.Max(1, _accelerator.NumMultiprocessors * Math.Max(1, _accelerator.MaxNumThreadsPerMultiprocessor / _groupSize));

    /// <summary>
    /// Grid-stride kernels launch this many full waves of groups (a wave: the groups that fit on all
    /// multiprocessors at once, from ILGPU's occupancy estimate for that kernel). A partial second wave
    /// leaves most of the chip idle at the end of the kernel. dcdm bench sweeps it.
    /// </summary>
    public int Waves { get; set; } = 1;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>> _residual;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>> _dot;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencil;
    readonly Action<KernelConfig, GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep> _direction;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double> _update;
    readonly Action<Index1D, double, ArrayView<float>, ArrayView<double>> _addScaled;
    readonly Action<Index1D, float, ArrayView<float>, ArrayView<float>> _axpy;
    readonly Action<Index1D, float, ArrayView<float>> _scale;

    internal GridKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _residual = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>>(ResidualColumns);
        _dot = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>>(DotKernel);
        _stencil = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilQuads);
        _direction = accelerator.LoadStreamKernel<GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep>(DirectionAndProductQuadsKernel);
        _update = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double>(UpdateResidualQuadsKernel);
        _addScaled = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<float>, ArrayView<double>>(AddScaled);
        _axpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(AxpyKernel);
        _scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>>(ScaleKernel);
    }

    // ---- launchers --------------------------------------------------------------------------

    /// <summary>q = A p in float32 (nx % 4 == 0).</summary>
    public void Stencil(GridShape shape, ArrayView<byte> diagonal, ArrayView<float> p, ArrayView<float> q) =>
        _stencil(Config(_stencil, QuadItems(shape), reduces: false), shape, diagonal, p, q);

    /// <summary>
    /// r = b - A x in double; returns ||r||. With <paramref name="into"/> given, also writes r * scale in float32
    /// (the refinement's scaled residual). <paramref name="result"/> is a one-double scratch buffer. Any nx.
    /// </summary>
    public double Residual(GridShape shape, ArrayView<byte> diagonal, ArrayView<double> b, ArrayView<double> x, ArrayView<float> into, double scale, bool write, ArrayView<double> result)
    {
        result.MemSetToZero();
        _residual(Config(_residual, shape.Items, reduces: true), shape, diagonal, b, x, into, scale, write ? 1 : 0, result);
        return Math.Sqrt(Read(result));
    }

    /// <summary>CG step k, first half: p_k = r_k + beta p_{k-1}, q = A p_k, pq[k] += p_k.q; settles d += alpha_{k-1} p_{k-1} (nx % 4 == 0).</summary>
    public void DirectionAndProduct(GridShape shape, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step) =>
        _direction(Config(_direction, QuadItems(shape), reduces: true), shape, v, rr, pq, step);

    /// <summary>CG step k, second half: r -= alpha_k q, rr[k+1] += r.r (lengths a multiple of 4).</summary>
    public void UpdateResidual(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop)
    {
        if (r.Length % 4 != 0 || q.Length != r.Length)
            throw new ArgumentException($"UpdateResidual works on quads: r and q need one length, a multiple of 4; got {r.Length} and {q.Length}");
        _update(Config(_update, r.Length / 4, reduces: true), r, q, rr, pq, k, stop);
    }

    /// <summary>result[0] += a.b with double accumulation (result zeroed by the caller).</summary>
    public void Dot(ArrayView<float> a, ArrayView<float> b, ArrayView<double> result) => _dot(Config(_dot, a.Length, reduces: true), a, b, result);

    /// <summary>y += alpha x, float32.</summary>
    public void Axpy(float alpha, ArrayView<float> x, ArrayView<float> y) => _axpy((int)x.Length, alpha, x, y);

    /// <summary>x *= c, float32.</summary>
    public void Scale(float c, ArrayView<float> x) => _scale((int)x.Length, c, x);

    /// <summary>x += s d (double x, float32 d).</summary>
    public void AddScaled(double s, ArrayView<float> d, ArrayView<double> x) => _addScaled((int)x.Length, s, d, x);

    /// <summary>Work items of the quad kernels: columns of nx / 4 quads times the z chunks.</summary>
    static long QuadItems(GridShape s) => s.Nx % 4 == 0
        ? (long)(s.Nx / 4) * s.Ny * s.Chunks
        : throw new ArgumentException($"the grid kernels work on quads of 4 cells along x; nx = {s.Nx} is not a multiple of 4 (pad the grid: PaddedGrid)");

    int WaveGroups(Delegate kernel, bool reduces)
    {
        if (_wave.TryGetValue((kernel, _groupSize), out int groups)) return groups;
        try
        {
            int perMultiprocessor = _accelerator.EstimateMaxActiveGroupsPerMultiprocessor(kernel.GetKernel(), _groupSize, reduces ? _groupSize * sizeof(double) : 0);
            groups = perMultiprocessor > 0 ? perMultiprocessor * _accelerator.NumMultiprocessors : MaxGroups;
        }
        catch (Exception e) when (e is NotSupportedException or NotImplementedException or InvalidOperationException) { groups = MaxGroups; } // no estimate on this accelerator
        return _wave[(kernel, _groupSize)] = groups;
    }

    KernelConfig Config(Delegate kernel, long items, bool reduces)
    {
        int groups = (int)Math.Clamp((items + _groupSize - 1) / _groupSize, 1, (long)WaveGroups(kernel, reduces) * Math.Max(1, Waves));
        return reduces ? new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(_groupSize)) : new KernelConfig(groups, _groupSize);
    }

    static double Read(ArrayView<double> result)
    {
        double value = 0;
        result.SubView(0, 1).CopyToCPU(ref value, 1);
        return value;
    }

    // ---- kernels ----------------------------------------------------------------------------
    // Column kernels walk work items with a grid-stride loop (ColumnItem: item t is column (t % w, t / w % ny)
    // over planes [c Chunk, (c+1) Chunk) with c = t / (w ny), w = nx cells or nx / 4 quads). Neighbours in x and y
    // come through the caches; the z neighbours stay in registers, so each vector is read from memory about once.

    /// <summary>r_i = b_i - (A x)_i in double on the unknowns (0 elsewhere); result += r.r; into_i = r_i scale when write != 0.</summary>
    static void ResidualColumns(GridShape s, ArrayView<byte> diag, ArrayView<double> b, ArrayView<double> x, ArrayView<float> into, double scale, int write, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        double sum = 0;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            var column = new ColumnItem(s, s.Nx, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int i = column.Start;
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

    /// <summary>result += sum_i a_i b_i, float32 inputs, double accumulation.</summary>
    static void DotKernel(ArrayView<float> a, ArrayView<float> b, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < a.Length; i += stride) sum += (double)a[i] * b[i];
        GroupReduction.SumToResult(sum, result);
    }

    /// <summary>q = A p on quads: per plane and quad, the quads above, in front and behind, two end cells and one word of operator. 9 bytes per cell.</summary>
    static void StencilQuads(GridShape s, ArrayView<byte> diag, ArrayView<float> p, ArrayView<float> q)
    {
        var p4 = Quad.Of(p); var q4 = Quad.Of(q); var d4 = diag.Cast<uint>();
        int nq = s.Nx / 4, plane = nq * s.Ny, items = nq * s.Ny * s.Chunks;
        int stride = Grid.DimX * Group.DimX;
        for (int t = Grid.GlobalIndex.X; t < items; t += stride)
        {
            var column = new ColumnItem(s, nq, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            bool left = ix > 0, right = ix < nq - 1, front = iy > 0, back = iy < s.Ny - 1;
            int j = column.Start;
            Quad below = z0 > 0 ? p4[j - plane] : Quad.Zero, center = p4[j];
            for (int z = z0; z < z1; z++, j += plane)
            {
                Quad above = z + 1 < s.Nz ? p4[j + plane] : Quad.Zero;
                Quad f = front ? p4[j - nq] : Quad.Zero, b = back ? p4[j + nq] : Quad.Zero;
                float l = left ? p[4 * j - 1] : 0f, r = right ? p[4 * j + 4] : 0f;
                q4[j] = Quad.Stencil(d4[j], center, below + above + f + b, l, r);
                below = center;
                center = above;
            }
        }
    }

    /// <summary>
    /// First half of CG step k on quads (float32 vectors, double scalars rr[k] = r_k.r_k and pq[k] = p_k.A p_k):
    ///   d += alpha_{k-1} p_{k-1}        (owed by step k-1, alpha_{k-1} = rr[k-1] / pq[k-1])
    ///   p_k = r_k + beta p_{k-1}         (beta = rr[k] / rr[k-1]; formed again for each neighbour instead of a pass of its own)
    ///   q = A p_k ; pq[k] += p_k.q
    /// Step k-1 stopped (converged: rr &lt;= stop, or p.Ap not &gt; 0) makes this a no-op; a converged rr[k] leaves
    /// only the owed update. At the first step of a segment (step.First) nothing is owed, and beta is 0 for a
    /// restart, else rr[k] / rr[k-1] with both set by the host after a reliable update. Memory per cell: r,
    /// p_{k-1}, d read, d, p_k, q written, 1 byte of operator: 25 bytes, where separate xpay, SpMV, dot and axpy
    /// kernels move 45.
    /// </summary>
    static void DirectionAndProductQuadsKernel(GridShape s, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step)
    {
        var c = StepCoefficients.Of(rr, pq, step);
        if (c.Idle) return;
        int k = step.K;
        bool owed = c.Owed, advance = c.Advance;
        float alphaPrevious = c.Alpha, beta = c.Beta;

        var r = v.R; var pOld = v.PPrevious;
        var r4 = Quad.Of(v.R); var o4 = Quad.Of(v.PPrevious); var n4 = Quad.Of(v.PNext); var d4 = Quad.Of(v.D); var q4 = Quad.Of(v.Q);
        var diag = v.Diagonal.Cast<uint>();
        int nq = s.Nx / 4, plane = nq * s.Ny, items = nq * s.Ny * s.Chunks;
        int stride = Grid.DimX * Group.DimX;
        double sum = 0;
        for (int t = Grid.GlobalIndex.X; t < items; t += stride)
        {
            var column = new ColumnItem(s, nq, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int j = column.Start;
            if (!advance)
            {
                for (int z = z0; z < z1; z++, j += plane) d4[j] = d4[j] + alphaPrevious * o4[j];
                continue;
            }
            bool left = ix > 0, right = ix < nq - 1, front = iy > 0, back = iy < s.Ny - 1;
            Quad below = z0 > 0 ? r4[j - plane] + beta * o4[j - plane] : Quad.Zero;
            Quad oldCenter = o4[j];
            Quad center = r4[j] + beta * oldCenter;
            for (int z = z0; z < z1; z++, j += plane)
            {
                bool top = z + 1 < s.Nz;
                Quad oldAbove = top ? o4[j + plane] : Quad.Zero;
                Quad above = top ? r4[j + plane] + beta * oldAbove : Quad.Zero;
                Quad f = front ? r4[j - nq] + beta * o4[j - nq] : Quad.Zero;
                Quad b = back ? r4[j + nq] + beta * o4[j + nq] : Quad.Zero;
                float l = left ? r[4 * j - 1] + beta * pOld[4 * j - 1] : 0f;
                float rt = right ? r[4 * j + 4] + beta * pOld[4 * j + 4] : 0f;
                Quad dOld = owed ? d4[j] : Quad.Zero;
                Quad qj = Quad.Stencil(diag[j], center, below + above + f + b, l, rt);
                if (owed) d4[j] = dOld + alphaPrevious * oldCenter;
                n4[j] = center;
                q4[j] = qj;
                sum += Quad.Dot(center, qj);
                below = center;
                center = above;
                oldCenter = oldAbove;
            }
        }
        if (advance) GroupReduction.SumToResult(sum, pq.SubView(k, 1));
    }

    /// <summary>
    /// Second half of CG step k on quads: alpha = rr[k] / pq[k]; r -= alpha q; rr[k+1] += r.r.
    /// 12 bytes per cell. A no-op once step k has stopped.
    /// </summary>
    static void UpdateResidualQuadsKernel(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop)
    {
        double rrk = rr[k], pqk = pq[k];
        if (!(rrk > stop && pqk > 0)) return;
        float alpha = (float)(rrk / pqk);
        var r4 = Quad.Of(r); var q4 = Quad.Of(q);
        int stride = Grid.DimX * Group.DimX, n = (int)r4.Length;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            Quad ri = r4[i] - alpha * q4[i];
            r4[i] = ri;
            sum += Quad.Dot(ri, ri);
        }
        GroupReduction.SumToResult(sum, rr.SubView(k + 1, 1));
    }

    /// <summary>y_i += alpha x_i.</summary>
    static void AxpyKernel(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] += alpha * x[i];

    /// <summary>x_i *= c.</summary>
    static void ScaleKernel(Index1D i, float c, ArrayView<float> x) => x[i] *= c;

    /// <summary>x_i += s d_i.</summary>
    static void AddScaled(Index1D i, double s, ArrayView<float> d, ArrayView<double> x) => x[i] += s * d[i];
}
