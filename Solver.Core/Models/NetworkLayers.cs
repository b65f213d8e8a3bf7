using System.Numerics;

namespace Dcdm.Models;

/// <summary>
/// The grid operations of the multilevel networks in plain C#, matching PyTorch's semantics: 2x2x2
/// average pooling after zero padding to even sizes, trilinear upsampling with align_corners = false
/// to twice the coarse size and then cropped, and per-cell 27-point stencils with zeros outside.
/// </summary>
public static class NetworkLayers
{
    /// <summary>Pools every channel of a channel-major field.</summary>
    public static float[] Pool(float[] fine, int channels, (int Nx, int Ny, int Nz) f, (int Nx, int Ny, int Nz) c)
    {
        int nf = f.Nx * f.Ny * f.Nz, nc = c.Nx * c.Ny * c.Nz;
        var coarse = new float[channels * nc];
        for (int ch = 0; ch < channels; ch++)
            PoolInto(fine.AsSpan(ch * nf, nf), f, c, coarse.AsSpan(ch * nc, nc));
        return coarse;
    }

    /// <summary>coarse = average of each 2x2x2 block of fine (cells beyond the fine grid count as 0).</summary>
    public static unsafe void PoolInto(ReadOnlySpan<float> fine, (int Nx, int Ny, int Nz) f, (int Nx, int Ny, int Nz) c, Span<float> coarse)
    {
        if (fine.Length < f.Nx * f.Ny * f.Nz || coarse.Length < c.Nx * c.Ny * c.Nz)
            throw new ArgumentException($"pooling {f.Nx}x{f.Ny}x{f.Nz} to {c.Nx}x{c.Ny}x{c.Nz}: spans too short");
        fixed (float* finePointer = fine, coarsePointer = coarse)
        {
            // planes in parallel (the lambda cannot capture spans: pointers, valid inside fixed)
            float* fp = finePointer, cp = coarsePointer;
            ForPlanes(c.Nz, f.Nx * f.Ny * f.Nz, z => PoolPlane(new ReadOnlySpan<float>(fp, f.Nx * f.Ny * f.Nz), f, c, new Span<float>(cp, c.Nx * c.Ny * c.Nz), z));
        }
    }

    static void PoolPlane(ReadOnlySpan<float> fine, (int Nx, int Ny, int Nz) f, (int Nx, int Ny, int Nz) c, Span<float> coarse, int z)
    {
        for (int y = 0; y < c.Ny; y++)
            for (int x = 0; x < c.Nx; x++)
            {
                float s = 0;
                for (int dz = 0; dz < 2; dz++)
                {
                    int zz = 2 * z + dz;
                    if (zz >= f.Nz) continue;
                    for (int dy = 0; dy < 2; dy++)
                    {
                        int yy = 2 * y + dy;
                        if (yy >= f.Ny) continue;
                        int row = (zz * f.Ny + yy) * f.Nx;
                        if (2 * x < f.Nx) s += fine[row + 2 * x];
                        if (2 * x + 1 < f.Nx) s += fine[row + 2 * x + 1];
                    }
                }
                coarse[(z * c.Ny + y) * c.Nx + x] = s * 0.125f;
            }
    }

    /// <summary>z = a skip + b z, in parallel blocks.</summary>
    public static void Mix(float a, float[] skip, float b, float[] z)
    {
        if (skip.Length != z.Length) throw new ArgumentException($"mix: skip has {skip.Length} entries, z {z.Length}");
        const int block = 1 << 16;
        ForPlanes((z.Length + block - 1) / block, z.Length, k =>
        {
            int start = k * block, end = Math.Min(z.Length, start + block), i = start;
            if (Vector.IsHardwareAccelerated)
            {
                var va = new Vector<float>(a);
                var vb = new Vector<float>(b);
                for (; i + Vector<float>.Count <= end; i += Vector<float>.Count)
                    (va * new Vector<float>(skip, i) + vb * new Vector<float>(z, i)).CopyTo(z, i);
            }
            for (; i < end; i++) z[i] = a * skip[i] + b * z[i];
        });
    }


    static void ForPlanes(int planes, int cells, Action<int> body)
    {
        if (cells < Multigrid.VCycleKernels.ParallelCells) for (int z = 0; z < planes; z++) body(z);
        else Parallel.For(0, planes, body);
    }

    /// <summary>fine = trilinear interpolation of coarse onto (2 c) cells, align_corners = false, cropped to the fine size.</summary>
    public static unsafe void UpsampleInto(float[] coarse, (int Nx, int Ny, int Nz) c, (int Nx, int Ny, int Nz) f, float[] fine)
    {
        if (coarse.Length < c.Nx * c.Ny * c.Nz || fine.Length < f.Nx * f.Ny * f.Nz)
            throw new ArgumentException($"upsampling {c.Nx}x{c.Ny}x{c.Nz} to {f.Nx}x{f.Ny}x{f.Nz}: arrays too short");
        var (xi, xw) = Weights(c.Nx, f.Nx);
        var (yi, yw) = Weights(c.Ny, f.Ny);
        var (zi, zw) = Weights(c.Nz, f.Nz);
        ForPlanes(f.Nz, f.Nx * f.Ny * f.Nz, z =>
        {
            fixed (float* cp = coarse, fp = fine)
            fixed (int* xip = xi)
            fixed (float* xwp = xw)
                for (int y = 0; y < f.Ny; y++)
                {
                    // the four coarse rows this fine row mixes, with their weights
                    float* r00 = cp + (zi[2 * z] * c.Ny + yi[2 * y]) * c.Nx, r01 = cp + (zi[2 * z] * c.Ny + yi[2 * y + 1]) * c.Nx;
                    float* r10 = cp + (zi[2 * z + 1] * c.Ny + yi[2 * y]) * c.Nx, r11 = cp + (zi[2 * z + 1] * c.Ny + yi[2 * y + 1]) * c.Nx;
                    float w00 = zw[2 * z] * yw[2 * y], w01 = zw[2 * z] * yw[2 * y + 1], w10 = zw[2 * z + 1] * yw[2 * y], w11 = zw[2 * z + 1] * yw[2 * y + 1];
                    float* row = fp + (z * f.Ny + y) * f.Nx;
                    for (int x = 0; x < f.Nx; x++)
                    {
                        int i0 = xip[2 * x], i1 = xip[2 * x + 1];
                        float a = xwp[2 * x], b = xwp[2 * x + 1];
                        row[x] = w00 * (a * r00[i0] + b * r00[i1]) + w01 * (a * r01[i0] + b * r01[i1])
                               + w10 * (a * r10[i0] + b * r10[i1]) + w11 * (a * r11[i0] + b * r11[i1]);
                    }
                }
        });
    }

    /// <summary>The stencil row the Vector&lt;int&gt;.Count cells from <paramref name="slots"/> all use, or null if they differ.</summary>
    static unsafe int? SharedStencil(int* slots)
    {
        int first = slots[0];
        return Vector.EqualsAll(Vector.Load(slots), new Vector<int>(first)) ? first : null;
    }

    /// <summary>For each fine index: the two coarse indices and weights (PyTorch's linear rule with scale in/out = 1/2).</summary>
    static (int[] index, float[] weight) Weights(int coarse, int fine)
    {
        var index = new int[2 * fine];
        var weight = new float[2 * fine];
        for (int d = 0; d < fine; d++)
        {
            float src = Math.Max(0f, 0.5f * (d + 0.5f) - 0.5f);
            int i0 = (int)src;
            int i1 = i0 < coarse - 1 ? i0 + 1 : i0;
            float l1 = src - i0;
            index[2 * d] = i0; weight[2 * d] = 1 - l1;
            index[2 * d + 1] = i1; weight[2 * d + 1] = l1;
        }
        return (index, weight);
    }

    /// <summary>
    /// y(c) = sum_o S[c, o] v(c + o), o over the 27 offsets (dz, dy, dx in -1..1, x fastest); v = 0 outside. With
    /// <paramref name="add"/>, y(c) += that sum instead (the V-cycle's post-smoothing, one pass instead of two).
    /// </summary>
    public static unsafe void ApplyStencil(StencilField field, float[] v, float[] y, (int Nx, int Ny, int Nz) g, bool add = false)
    {
        int nx = g.Nx, ny = g.Ny, nz = g.Nz;
        var slot = field.Slot;
        var stencil = field.Table;
        if (slot.Length < nx * ny * nz || v.Length < nx * ny * nz || y.Length < nx * ny * nz)
            throw new ArgumentException($"a {nx}x{ny}x{nz} grid needs a stencil, a v and a y value per cell");
        int width = Vector.IsHardwareAccelerated ? Vector<float>.Count : int.MaxValue / 2; // no vector path without SIMD
        ForPlanes(nz, nx * ny * nz, z =>
        {
            Span<int> rowOffset = stackalloc int[9];
            for (int r = 0; r < 9; r++) rowOffset[r] = ((r / 3 - 1) * ny + (r % 3 - 1)) * nx;
            fixed (float* sp = stencil, vp = v, yp = y)
            fixed (int* slots = slot)
                for (int yy = 0; yy < ny; yy++)
                {
                    int rowStart = (z * ny + yy) * nx;
                    bool interiorRow = yy > 0 && yy < ny - 1 && z > 0 && z < nz - 1;
                    for (int x = 0; x < nx; x++)
                    {
                        int cell = rowStart + x;
                        if (interiorRow && x > 0 && x + width < nx && SharedStencil(slots + cell) is int shared)
                        {
                            // width cells with one stencil (deep in fluid, air or solid: most cells): a vector
                            // lane per cell, the same products and sums as below, so the same result
                            float* t = sp + (long)shared * 27;
                            var sums = Vector<float>.Zero;
                            for (int r = 0; r < 9; r++)
                            {
                                float* w = vp + cell + rowOffset[r];
                                sums += new Vector<float>(t[3 * r]) * Vector.Load(w - 1) + new Vector<float>(t[3 * r + 1]) * Vector.Load(w)
                                      + new Vector<float>(t[3 * r + 2]) * Vector.Load(w + 1);
                            }
                            if (add) sums += Vector.Load(yp + cell);
                            sums.Store(yp + cell);
                            x += width - 1;
                            continue;
                        }
                        float* s = sp + (long)slots[cell] * 27;
                        float sum = 0;
                        if (interiorRow && x > 0 && x < nx - 1)
                        {
                            // 9 rows of 3 neighbours each, no bounds tests
                            for (int r = 0; r < 9; r++)
                            {
                                float* w = vp + cell + rowOffset[r];
                                sum += s[3 * r] * w[-1] + s[3 * r + 1] * w[0] + s[3 * r + 2] * w[1];
                            }
                        }
                        else
                        {
                            for (int dz = -1; dz <= 1; dz++)
                            {
                                int zz = z + dz;
                                if (zz < 0 || zz >= nz) { s += 9; continue; }
                                for (int dy = -1; dy <= 1; dy++, s += 3)
                                {
                                    int y2 = yy + dy;
                                    if (y2 < 0 || y2 >= ny) continue;
                                    float* w = vp + (zz * ny + y2) * nx + x;
                                    if (x > 0) sum += s[0] * w[-1];
                                    sum += s[1] * w[0];
                                    if (x < nx - 1) sum += s[2] * w[1];
                                }
                            }
                        }
                        yp[cell] = add ? yp[cell] + sum : sum;
                    }
                }
        });
    }
}
