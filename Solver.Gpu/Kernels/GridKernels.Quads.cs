using ILGPU;

namespace Dcdm.Gpu.Kernels;

// The vectorized variant: each work item is a column of quads (four cells along x) over Chunk z planes.
// Every vector is read and written 16 bytes per instruction and the operator 4 bytes (one word of
// diagonal bytes), where the column kernels move 4 and 1: a quarter of the memory instructions for the
// same bytes. Needs nx % 4 == 0 (whole quads per row); the launchers fall back to Unrolled otherwise.
public sealed partial class GridKernels
{
    /// <summary>Whether the vectorized kernels can run on this grid (nx a multiple of 4).</summary>
    public static bool CanVectorize(GridShape shape) => shape.Nx % 4 == 0;

    static long QuadItems(GridShape s) => (long)(s.Nx / 4) * s.Ny * s.Chunks;

    /// <summary>q = A p on quads: per plane and quad, the quads above, in front and behind, two end cells and one word of operator.</summary>
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
    /// <see cref="DirectionAndProductUnrolledKernel"/> on quads: d += alpha_{k-1} p_{k-1}, p_k = r_k + beta p_{k-1}
    /// (formed again for each neighbour), q = A p_k, pq[k] += p_k.q. The same 25 bytes per cell.
    /// </summary>
    static void DirectionAndProductQuadsKernel(GridShape s, CgVectors v, ArrayView<double> rr, ArrayView<double> pq, CgStep step)
    {
        var c = StepCoefficients.TwoKernel(rr, pq, step);
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

    /// <summary><see cref="UpdateResidualUnrolledKernel"/> on quads: r -= alpha q, rr[k+1] += r.r. 12 bytes per cell.</summary>
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

    /// <summary>
    /// <see cref="MergedStepKernel"/> on quads: r_k = r_{k-1} - alpha q_{k-1}, p_k = r_k + beta p_{k-1} (both formed
    /// again for each neighbour), d += alpha p_{k-1}, q_k = A p_k, and p.q, r.q, q.q, r.r. The same 33 bytes per cell.
    /// </summary>
    static void MergedStepQuadsKernel(GridShape s, MergedCgVectors v, CgScalars c, CgStep step)
    {
        var coefficients = StepCoefficients.Merged(c, step);
        if (coefficients.Idle) return;
        int k = step.K;
        bool owed = coefficients.Owed, advance = coefficients.Advance;
        float alpha = coefficients.Alpha, beta = coefficients.Beta;

        var rOld = v.RPrevious; var qOld = v.QPrevious; var pOld = v.PPrevious;
        var r4 = Quad.Of(v.RPrevious); var q4 = Quad.Of(v.QPrevious); var o4 = Quad.Of(v.PPrevious); var d4 = Quad.Of(v.D);
        var rNew = Quad.Of(v.RNext); var qNew = Quad.Of(v.QNext); var pNew = Quad.Of(v.PNext);
        var diag = v.Diagonal.Cast<uint>();
        int nq = s.Nx / 4, plane = nq * s.Ny, items = nq * s.Ny * s.Chunks;
        int stride = Grid.DimX * Group.DimX;
        double sumPq = 0, sumRq = 0, sumQq = 0, sumRr = 0;
        for (int t = Grid.GlobalIndex.X; t < items; t += stride)
        {
            var column = new ColumnItem(s, nq, t);
            int ix = column.X, iy = column.Y, z0 = column.Z0, z1 = column.Z1;
            int j = column.Start;
            if (!advance)
            {
                for (int z = z0; z < z1; z++, j += plane) d4[j] = d4[j] + alpha * o4[j];
                continue;
            }
            bool left = ix > 0, right = ix < nq - 1, front = iy > 0, back = iy < s.Ny - 1;
            Quad below = z0 > 0 ? r4[j - plane] - alpha * q4[j - plane] + beta * o4[j - plane] : Quad.Zero;
            Quad oldCenter = o4[j];
            Quad rCenter = r4[j] - alpha * q4[j];
            Quad center = rCenter + beta * oldCenter;
            for (int z = z0; z < z1; z++, j += plane)
            {
                bool top = z + 1 < s.Nz;
                Quad oldAbove = top ? o4[j + plane] : Quad.Zero;
                Quad rAbove = top ? r4[j + plane] - alpha * q4[j + plane] : Quad.Zero;
                Quad above = rAbove + beta * oldAbove;
                Quad f = front ? r4[j - nq] - alpha * q4[j - nq] + beta * o4[j - nq] : Quad.Zero;
                Quad b = back ? r4[j + nq] - alpha * q4[j + nq] + beta * o4[j + nq] : Quad.Zero;
                float l = left ? rOld[4 * j - 1] - alpha * qOld[4 * j - 1] + beta * pOld[4 * j - 1] : 0f;
                float rt = right ? rOld[4 * j + 4] - alpha * qOld[4 * j + 4] + beta * pOld[4 * j + 4] : 0f;
                Quad dOld = owed ? d4[j] : Quad.Zero;
                Quad qj = Quad.Stencil(diag[j], center, below + above + f + b, l, rt);
                if (owed) d4[j] = dOld + alpha * oldCenter;
                rNew[j] = rCenter;
                pNew[j] = center;
                qNew[j] = qj;
                sumPq += Quad.Dot(center, qj);
                sumRq += Quad.Dot(rCenter, qj);
                sumQq += Quad.Dot(qj, qj);
                sumRr += Quad.Dot(rCenter, rCenter);
                below = center;
                center = above;
                rCenter = rAbove;
                oldCenter = oldAbove;
            }
        }
        if (advance) GroupReduction.SumToResults(sumPq, sumRq, sumQq, sumRr, c.Pq.SubView(k, 1), c.Rq.SubView(k, 1), c.Qq.SubView(k, 1), c.Rx.SubView(k, 1));
    }
}
