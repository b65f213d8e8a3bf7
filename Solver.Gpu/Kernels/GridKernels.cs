using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// Kernels of the matrix-free voxel solver on the full grid. The operator is stored as one byte per
/// cell, its diagonal d_i (open neighbours of a fluid cell; 0 off the unknowns), and every vector is
/// kept 0 off the unknowns, so (A p)_i = d_i p_i - sum of the 6 neighbours' p, with no flag tests:
/// 1 byte of operator per cell instead of 7 flag reads. Plain C# reference: PoissonGrid.Apply.
/// Reductions accumulate in double (<see cref="GroupReduction"/>).
/// </summary>
public sealed partial class GridKernels
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
    /// leaves most of the chip idle at the end of the kernel.
    /// </summary>
    public int Waves { get; set; } = 1;
    readonly Action<Index1D, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencilCells;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>> _residual;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>> _dot;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencilUnrolled;
    readonly Action<KernelConfig, GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep> _directionUnrolled;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double> _updateUnrolled;
    readonly Action<KernelConfig, GridShape, MergedCgVectors, CgScalars, CgStep> _merged;
    readonly Action<KernelConfig, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _stencilQuads;
    readonly Action<KernelConfig, GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep> _directionQuads;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double> _updateQuads;
    readonly Action<KernelConfig, GridShape, MergedCgVectors, CgScalars, CgStep> _mergedQuads;
    readonly Action<Index1D, double, ArrayView<float>, ArrayView<double>> _addScaled;
    readonly Action<Index1D, float, ArrayView<float>, ArrayView<float>> _axpy;
    readonly Action<Index1D, float, ArrayView<float>> _scale;

    internal GridKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _stencilCells = accelerator.LoadAutoGroupedStreamKernel<Index1D, GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilCells);
        _residual = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<double>, ArrayView<double>, ArrayView<float>, double, int, ArrayView<double>>(ResidualColumns);
        _dot = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>>(DotKernel);
        _stencilUnrolled = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilColumnsUnrolled);
        _directionUnrolled = accelerator.LoadStreamKernel<GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep>(DirectionAndProductUnrolledKernel);
        _updateUnrolled = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double>(UpdateResidualUnrolledKernel);
        _merged = accelerator.LoadStreamKernel<GridShape, MergedCgVectors, CgScalars, CgStep>(MergedStepKernel);
        _stencilQuads = accelerator.LoadStreamKernel<GridShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(StencilQuads);
        _directionQuads = accelerator.LoadStreamKernel<GridShape, CgVectors, ArrayView<double>, ArrayView<double>, CgStep>(DirectionAndProductQuadsKernel);
        _updateQuads = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, ArrayView<double>, int, double>(UpdateResidualQuadsKernel);
        _mergedQuads = accelerator.LoadStreamKernel<GridShape, MergedCgVectors, CgScalars, CgStep>(MergedStepQuadsKernel);
        _addScaled = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<float>, ArrayView<double>>(AddScaled);
        _axpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>, ArrayView<float>>(AxpyKernel);
        _scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>>(ScaleKernel);
    }

    // ---- launchers --------------------------------------------------------------------------

    /// <summary>q = A p in float32, column kernel (the merged variants have no stencil of their own: Unrolled runs).</summary>
    public void Stencil(GridShape shape, ArrayView<byte> diagonal, ArrayView<float> p, ArrayView<float> q, GridKernelVariant variant = GridKernelVariant.Unrolled)
    {
        switch (Resolve(variant, shape))
        {
            case GridKernelVariant.Vectorized: _stencilQuads(Config(_stencilQuads, QuadItems(shape), reduces: false), shape, diagonal, p, q); break;
            default: _stencilUnrolled(Config(_stencilUnrolled, shape.Items, reduces: false), shape, diagonal, p, q); break;
        }
    }

    /// <summary>The variant that runs: the vectorized ones need nx % 4 == 0 and fall back to Unrolled and Merged.</summary>
    public static GridKernelVariant Resolve(GridKernelVariant variant, GridShape shape) => variant switch
    {
        GridKernelVariant.Vectorized when !CanVectorize(shape) => GridKernelVariant.Unrolled,
        GridKernelVariant.MergedVectorized when !CanVectorize(shape) => GridKernelVariant.Merged,
        _ => variant,
    };

    /// <summary>Whether the variant runs a CG step as one kernel.</summary>
    public static bool IsMerged(GridKernelVariant variant) => variant is GridKernelVariant.Merged or GridKernelVariant.MergedVectorized;

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
        _residual(Config(_residual, shape.Items, reduces: true), shape, diagonal, b, x, into, scale, write ? 1 : 0, result);
        return Math.Sqrt(Read(result));
    }

    /// <summary>CG step k, first half: p_k = r_k + beta p_{k-1}, q = A p_k, pq[k] += p_k.q; settles d += alpha_{k-1} p_{k-1}.</summary>
    public void DirectionAndProduct(GridShape shape, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step, GridKernelVariant variant = GridKernelVariant.Unrolled)
    {
        switch (Resolve(variant, shape))
        {
            case GridKernelVariant.Vectorized: _directionQuads(Config(_directionQuads, QuadItems(shape), reduces: true), shape, v, rr, pq, step); break;
            default: _directionUnrolled(Config(_directionUnrolled, shape.Items, reduces: true), shape, v, rr, pq, step); break;
        }
    }

    /// <summary>CG step k, second half: r -= alpha_k q, rr[k+1] += r.r.</summary>
    public void UpdateResidual(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop, GridKernelVariant variant = GridKernelVariant.Unrolled)
    {
        if (variant == GridKernelVariant.Vectorized && r.Length % 4 == 0) _updateQuads(Config(_updateQuads, r.Length / 4, reduces: true), r, q, rr, pq, k, stop);
        else _updateUnrolled(Config(_updateUnrolled, r.Length, reduces: true), r, q, rr, pq, k, stop);
    }

    /// <summary>
    /// One whole CG step k in one kernel: r_k = r_{k-1} - alpha q_{k-1}, p_k = r_k + beta p_{k-1}, q_k = A p_k,
    /// d += alpha p_{k-1}, and p_k.q_k, r_k.q_k, q_k.q_k (so the next step gets r_{k+1}.r_{k+1} without a pass).
    /// </summary>
    public void MergedStep(GridShape shape, MergedCgVectors v, CgScalars scalars, CgStep step, GridKernelVariant variant = GridKernelVariant.Merged)
    {
        bool quads = Resolve(variant, shape) == GridKernelVariant.MergedVectorized;
        var kernel = quads ? _mergedQuads : _merged;
        long items = quads ? QuadItems(shape) : shape.Items;
        int groups = (int)Math.Clamp((items + _groupSize - 1) / _groupSize, 1, (long)WaveGroups(kernel, reduces: true, sums: 4) * Math.Max(1, Waves));
        kernel(new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(4 * _groupSize)), shape, v, scalars, step);
    }

    /// <summary>result[0] += a.b with double accumulation (result zeroed by the caller).</summary>
    public void Dot(ArrayView<float> a, ArrayView<float> b, ArrayView<double> result) => _dot(Config(_dot, a.Length, reduces: true), a, b, result);

    /// <summary>y += alpha x, float32.</summary>
    public void Axpy(float alpha, ArrayView<float> x, ArrayView<float> y) => _axpy((int)x.Length, alpha, x, y);

    /// <summary>x *= c, float32.</summary>
    public void Scale(float c, ArrayView<float> x) => _scale((int)x.Length, c, x);

    /// <summary>x += s d (double x, float32 d).</summary>
    public void AddScaled(double s, ArrayView<float> d, ArrayView<double> x) => _addScaled((int)x.Length, s, d, x);

    /// <summary>Active groups per multiprocessor of each kernel, as ILGPU estimates them (for dcdm bench).</summary>
    public string Occupancy() => string.Join(", ", new (string, Delegate, bool)[]
    {
        ("stencil unrolled", _stencilUnrolled, false), ("half 1 unrolled", _directionUnrolled, true), ("half 2 unrolled", _updateUnrolled, true),
        ("stencil vectorized", _stencilQuads, false), ("half 1 vectorized", _directionQuads, true), ("half 2 vectorized", _updateQuads, true),
    }.Select(k => $"{k.Item1} {WaveGroups(k.Item2, k.Item3) / Math.Max(1, _accelerator.NumMultiprocessors)}")
     .Append($"merged {WaveGroups(_merged, true, 4) / Math.Max(1, _accelerator.NumMultiprocessors)}")
     .Append($"merged vectorized {WaveGroups(_mergedQuads, true, 4) / Math.Max(1, _accelerator.NumMultiprocessors)}"));

    int WaveGroups(Delegate kernel, bool reduces, int sums = 1)
    {
        if (_wave.TryGetValue((kernel, _groupSize), out int groups)) return groups;
        try
        {
            int perMultiprocessor = _accelerator.EstimateMaxActiveGroupsPerMultiprocessor(kernel.GetKernel(), _groupSize, reduces ? sums * _groupSize * sizeof(double) : 0);
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
    // Column kernels walk work items with a grid-stride loop (ColumnItem: item t is column (t % nx, t / nx % ny)
    // over planes [c Chunk, (c+1) Chunk) with c = t / (nx ny)). Neighbours in x and y come through the
    // caches; the z neighbours stay in registers, so each vector is read from memory about once.

    /// <summary>Same as <see cref="StencilColumnsUnrolled"/>, one thread per cell with its coordinates from divisions.</summary>
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

    // ---- unrolled kernels -------------------------------------------------------------------
    // Every load of a few planes (or grid-stride elements) is issued before the first store: views may
    // alias, so the compiler cannot move a load above a store, and one plane at a time left too few loads
    // in flight (on the H100 the one-plane loops were 6 to 19% slower; docs/benchmarks.md).

    /// <summary>q_i = d_i p_i - sum_{j ~ i} p_j, float32; four planes per loop trip.</summary>
    static void StencilColumnsUnrolled(GridShape s, ArrayView<byte> diag, ArrayView<float> p, ArrayView<float> q)
    {
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            var column = new ColumnItem(s, s.Nx, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int i = column.Start;
            var sides = new Sides(ix > 0, ix < s.Nx - 1, iy > 0, iy < s.Ny - 1, s.Nx);
            float below = z0 > 0 ? p[i - plane] : 0f, center = p[i];
            int z = z0;
            for (; z + 4 <= z1; z += 4, i += 4 * plane)
            {
                float a1 = p[i + plane], a2 = p[i + 2 * plane], a3 = p[i + 3 * plane];
                float a4 = z + 4 < s.Nz ? p[i + 4 * plane] : 0f;
                float s0 = sides.Sum(p, i), s1 = sides.Sum(p, i + plane), s2 = sides.Sum(p, i + 2 * plane), s3 = sides.Sum(p, i + 3 * plane);
                int d0 = diag[i], d1 = diag[i + plane], d2 = diag[i + 2 * plane], d3 = diag[i + 3 * plane];
                q[i] = d0 > 0 ? d0 * center - (below + a1 + s0) : 0f;
                q[i + plane] = d1 > 0 ? d1 * a1 - (center + a2 + s1) : 0f;
                q[i + 2 * plane] = d2 > 0 ? d2 * a2 - (a1 + a3 + s2) : 0f;
                q[i + 3 * plane] = d3 > 0 ? d3 * a3 - (a2 + a4 + s3) : 0f;
                below = a3;
                center = a4;
            }
            for (; z < z1; z++, i += plane)
            {
                float above = z + 1 < s.Nz ? p[i + plane] : 0f;
                float side = sides.Sum(p, i);
                int d = diag[i];
                q[i] = d > 0 ? d * center - (below + above + side) : 0f;
                below = center;
                center = above;
            }
        }
    }

    /// <summary>
    /// First half of CG step k (float32 vectors, double scalars rr[k] = r_k.r_k and pq[k] = p_k.A p_k):
    ///   d += alpha_{k-1} p_{k-1}        (owed by step k-1, alpha_{k-1} = rr[k-1] / pq[k-1])
    ///   p_k = r_k + beta p_{k-1}         (beta = rr[k] / rr[k-1]; computed again for each neighbour instead of a pass of its own)
    ///   q = A p_k ; pq[k] += p_k.q
    /// Step k-1 stopped (converged: rr &lt;= stop, or p.Ap not &gt; 0) makes this a no-op; a converged
    /// rr[k] leaves only the owed update. At the first step of a segment (step.First) nothing is owed, and
    /// beta is 0 for a restart, else rr[k] / rr[k-1] with both set by the host after a reliable update. Memory per cell: r, p_{k-1}, d read, d, p_k, q written, 1 byte of
    /// operator: 25 bytes, where separate xpay, SpMV, dot and axpy kernels move 45. Two planes per loop trip.
    /// </summary>
    static void DirectionAndProductUnrolledKernel(GridShape s, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step)
    {
        var c = StepCoefficients.TwoKernel(rr, pq, step);
        if (c.Idle) return;
        int k = step.K;
        bool owed = c.Owed, advance = c.Advance;
        float alphaPrevious = c.Alpha, beta = c.Beta;

        var r = v.R; var pOld = v.PPrevious; var pNew = v.PNext; var dv = v.D; var q = v.Q; var diag = v.Diagonal;
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        double sum = 0;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            var column = new ColumnItem(s, s.Nx, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int i = column.Start;
            if (!advance)
            {
                for (int z = z0; z < z1; z++, i += plane) dv[i] += alphaPrevious * pOld[i];
                continue;
            }
            var sides = new Sides(ix > 0, ix < s.Nx - 1, iy > 0, iy < s.Ny - 1, s.Nx);
            float below = z0 > 0 ? r[i - plane] + beta * pOld[i - plane] : 0f;
            float oldCenter = pOld[i];
            float center = r[i] + beta * oldCenter;
            int zz = z0;
            for (; zz + 2 <= z1; zz += 2, i += 2 * plane)
            {
                bool top = zz + 2 < s.Nz;
                float o1 = pOld[i + plane], r1 = r[i + plane];
                float o2 = top ? pOld[i + 2 * plane] : 0f, r2 = top ? r[i + 2 * plane] : 0f;
                float s0 = sides.Sum(r, pOld, beta, i), s1 = sides.Sum(r, pOld, beta, i + plane);
                int d0 = diag[i], d1 = diag[i + plane];
                float dv0 = owed ? dv[i] : 0f, dv1 = owed ? dv[i + plane] : 0f;
                float a1 = r1 + beta * o1, a2 = r2 + beta * o2;
                float q0 = d0 > 0 ? d0 * center - (below + a1 + s0) : 0f;
                float q1 = d1 > 0 ? d1 * a1 - (center + a2 + s1) : 0f;
                if (owed)
                {
                    dv[i] = dv0 + alphaPrevious * oldCenter;
                    dv[i + plane] = dv1 + alphaPrevious * o1;
                }
                pNew[i] = center; pNew[i + plane] = a1;
                q[i] = q0; q[i + plane] = q1;
                sum += (double)center * q0 + (double)a1 * q1;
                below = a1;
                center = a2;
                oldCenter = o2;
            }
            if (zz < z1) // one plane left
            {
                bool top = zz + 1 < s.Nz;
                float o1 = top ? pOld[i + plane] : 0f, r1 = top ? r[i + plane] : 0f;
                float s0 = sides.Sum(r, pOld, beta, i);
                int d0 = diag[i];
                float a1 = r1 + beta * o1;
                float q0 = d0 > 0 ? d0 * center - (below + a1 + s0) : 0f;
                if (owed) dv[i] += alphaPrevious * oldCenter;
                pNew[i] = center;
                q[i] = q0;
                sum += (double)center * q0;
            }
        }
        if (advance) GroupReduction.SumToResult(sum, pq.SubView(k, 1));
    }

    /// <summary>
    /// Second half of CG step k: alpha = rr[k] / pq[k]; r -= alpha q; rr[k+1] += r.r.
    /// 12 bytes per cell, four grid-stride elements per loop trip. A no-op once step k has stopped.
    /// </summary>
    static void UpdateResidualUnrolledKernel(ArrayView<float> r, ArrayView<float> q, ArrayView<double> rr, ArrayView<double> pq, int k, double stop)
    {
        double rrk = rr[k], pqk = pq[k];
        if (!(rrk > stop && pqk > 0)) return;
        float alpha = (float)(rrk / pqk);
        int stride = Grid.DimX * Group.DimX, n = (int)r.Length;
        double sum = 0;
        int i = Grid.GlobalIndex.X;
        for (; i + 3 * stride < n; i += 4 * stride)
        {
            float r0 = r[i], r1 = r[i + stride], r2 = r[i + 2 * stride], r3 = r[i + 3 * stride];
            float q0 = q[i], q1 = q[i + stride], q2 = q[i + 2 * stride], q3 = q[i + 3 * stride];
            r0 -= alpha * q0; r1 -= alpha * q1; r2 -= alpha * q2; r3 -= alpha * q3;
            r[i] = r0; r[i + stride] = r1; r[i + 2 * stride] = r2; r[i + 3 * stride] = r3;
            sum += (double)r0 * r0 + (double)r1 * r1 + (double)r2 * r2 + (double)r3 * r3;
        }
        for (; i < n; i += stride)
        {
            float ri = r[i] - alpha * q[i];
            r[i] = ri;
            sum += (double)ri * ri;
        }
        GroupReduction.SumToResult(sum, rr.SubView(k + 1, 1));
    }

    /// <summary>
    /// A whole CG step in one pass (float32 vectors, double scalars; two planes per loop trip):
    ///   alpha = rx[k-1] / pq[k-1];  rr[k] = rx[k-1] - 2 alpha rq[k-1] + alpha^2 qq[k-1]  (= |r_{k-1} - alpha q_{k-1}|^2)
    ///   r_k = r_{k-1} - alpha q_{k-1};  p_k = r_k + beta p_{k-1} (beta = rr[k] / rx[k-1]);  d += alpha p_{k-1}
    ///   q_k = A p_k;  pq[k], rq[k], qq[k], rx[k] += p_k.q_k, r_k.q_k, q_k.q_k, r_k.r_k
    /// r_k and p_k are formed again for each neighbour from the previous step's vectors. At the first step of
    /// a segment r_k is r_{k-1} itself (alpha = 0, nothing owed) and rr[k] is given. Memory per cell: 33 bytes
    /// (r, q, p, d read; r, q, p, d written; 1 byte of operator) in one launch, against 37 in two.
    /// </summary>
    static void MergedStepKernel(GridShape s, MergedCgVectors v, CgScalars c, CgStep step)
    {
        var coefficients = StepCoefficients.Merged(c, step);
        if (coefficients.Idle) return;
        int k = step.K;
        bool owed = coefficients.Owed, advance = coefficients.Advance;
        float alpha = coefficients.Alpha, beta = coefficients.Beta;

        var rOld = v.RPrevious; var qOld = v.QPrevious; var pOld = v.PPrevious; var dv = v.D; var diag = v.Diagonal;
        var rNew = v.RNext; var qNew = v.QNext; var pNew = v.PNext;
        int stride = Grid.DimX * Group.DimX, plane = s.Plane;
        double sumPq = 0, sumRq = 0, sumQq = 0, sumRr = 0;
        for (int t = Grid.GlobalIndex.X; t < s.Items; t += stride)
        {
            var column = new ColumnItem(s, s.Nx, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int i = column.Start;
            if (!advance)
            {
                for (int z = z0; z < z1; z++, i += plane) dv[i] += alpha * pOld[i];
                continue;
            }
            var sides = new Sides(ix > 0, ix < s.Nx - 1, iy > 0, iy < s.Ny - 1, s.Nx);
            float below = z0 > 0 ? rOld[i - plane] - alpha * qOld[i - plane] + beta * pOld[i - plane] : 0f;
            float oldCenter = pOld[i];
            float rCenter = rOld[i] - alpha * qOld[i];
            float center = rCenter + beta * oldCenter;
            int zz = z0;
            for (; zz + 2 <= z1; zz += 2, i += 2 * plane)
            {
                bool top = zz + 2 < s.Nz;
                float o1 = pOld[i + plane], r1 = rOld[i + plane], q1 = qOld[i + plane];
                float o2 = top ? pOld[i + 2 * plane] : 0f, r2 = top ? rOld[i + 2 * plane] : 0f, q2 = top ? qOld[i + 2 * plane] : 0f;
                float s0 = sides.Sum(rOld, qOld, pOld, alpha, beta, i), s1 = sides.Sum(rOld, qOld, pOld, alpha, beta, i + plane);
                int d0 = diag[i], d1 = diag[i + plane];
                float dv0 = owed ? dv[i] : 0f, dv1 = owed ? dv[i + plane] : 0f;
                float rc1 = r1 - alpha * q1, rc2 = r2 - alpha * q2;
                float a1 = rc1 + beta * o1, a2 = rc2 + beta * o2;
                float qa = d0 > 0 ? d0 * center - (below + a1 + s0) : 0f;
                float qb = d1 > 0 ? d1 * a1 - (center + a2 + s1) : 0f;
                if (owed)
                {
                    dv[i] = dv0 + alpha * oldCenter;
                    dv[i + plane] = dv1 + alpha * o1;
                }
                rNew[i] = rCenter; rNew[i + plane] = rc1;
                pNew[i] = center; pNew[i + plane] = a1;
                qNew[i] = qa; qNew[i + plane] = qb;
                sumPq += (double)center * qa + (double)a1 * qb;
                sumRq += (double)rCenter * qa + (double)rc1 * qb;
                sumQq += (double)qa * qa + (double)qb * qb;
                sumRr += (double)rCenter * rCenter + (double)rc1 * rc1;
                below = a1;
                center = a2;
                rCenter = rc2;
                oldCenter = o2;
            }
            if (zz < z1) // one plane left
            {
                bool top = zz + 1 < s.Nz;
                float o1 = top ? pOld[i + plane] : 0f, r1 = top ? rOld[i + plane] : 0f, q1 = top ? qOld[i + plane] : 0f;
                float s0 = sides.Sum(rOld, qOld, pOld, alpha, beta, i);
                int d0 = diag[i];
                float a1 = r1 - alpha * q1 + beta * o1;
                float qa = d0 > 0 ? d0 * center - (below + a1 + s0) : 0f;
                if (owed) dv[i] += alpha * oldCenter;
                rNew[i] = rCenter;
                pNew[i] = center;
                qNew[i] = qa;
                sumPq += (double)center * qa;
                sumRq += (double)rCenter * qa;
                sumQq += (double)qa * qa;
                sumRr += (double)rCenter * rCenter;
            }
        }
        if (advance) GroupReduction.SumToResults(sumPq, sumRq, sumQq, sumRr, c.Pq.SubView(k, 1), c.Rq.SubView(k, 1), c.Qq.SubView(k, 1), c.Rx.SubView(k, 1));
    }

    /// <summary>y_i += alpha x_i.</summary>
    static void AxpyKernel(Index1D i, float alpha, ArrayView<float> x, ArrayView<float> y) => y[i] += alpha * x[i];

    /// <summary>x_i *= c.</summary>
    static void ScaleKernel(Index1D i, float c, ArrayView<float> x) => x[i] *= c;

    /// <summary>x_i += s d_i.</summary>
    static void AddScaled(Index1D i, double s, ArrayView<float> d, ArrayView<double> x) => x[i] += s * d[i];
}
