using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The stencil network's inference on the accelerator: the same V-cycle as Core's StencilDirectionModel
/// (plain C# reference; tests compare the two), one thread per cell. Stencil fields are a row index
/// per cell into a table of 27-value rows (Core's StencilField).
/// </summary>
public sealed class NetworkKernels
{
    readonly Action<Index1D, GridShape, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>> _stencil;
    readonly Action<Index1D, GridShape, GridShape, ArrayView<float>, ArrayView<float>> _pool;
    readonly Action<Index1D, GridShape, GridShape, ArrayView<float>, ArrayView<float>> _upsample;
    readonly Action<Index1D, float, float, ArrayView<float>, ArrayView<float>> _mix;
    readonly Action<Index1D, double, ArrayView<double>, ArrayView<float>> _toFloat;
    readonly Action<Index1D, ArrayView<float>, ArrayView<byte>, ArrayView<double>> _toDouble;
    readonly Action<Index1D, ArrayView<float>, ArrayView<double>> _widen;

    internal NetworkKernels(Accelerator accelerator)
    {
        _stencil = accelerator.LoadAutoGroupedStreamKernel<Index1D, GridShape, ArrayView<int>, ArrayView<float>, ArrayView<float>, ArrayView<float>>(ApplyStencil);
        _pool = accelerator.LoadAutoGroupedStreamKernel<Index1D, GridShape, GridShape, ArrayView<float>, ArrayView<float>>(Pool);
        _upsample = accelerator.LoadAutoGroupedStreamKernel<Index1D, GridShape, GridShape, ArrayView<float>, ArrayView<float>>(Upsample);
        _mix = accelerator.LoadAutoGroupedStreamKernel<Index1D, float, float, ArrayView<float>, ArrayView<float>>(Mix);
        _toFloat = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, ArrayView<float>>(ToFloat);
        _toDouble = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<byte>, ArrayView<double>>(ToDoubleOnUnknowns);
        _widen = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>>(ToDouble);
    }

    public void ApplyStencil(GridShape g, ArrayView<int> slot, ArrayView<float> table, ArrayView<float> v, ArrayView<float> y) => _stencil(g.Cells, g, slot, table, v, y);
    public void Pool(GridShape fine, GridShape coarse, ArrayView<float> f, ArrayView<float> c) => _pool(coarse.Cells, fine, coarse, f, c);
    public void Upsample(GridShape coarse, GridShape fine, ArrayView<float> c, ArrayView<float> f) => _upsample(fine.Cells, coarse, fine, c, f);
    /// <summary>z = a skip + b z.</summary>
    public void Mix(float a, float b, ArrayView<float> skip, ArrayView<float> z) => _mix((int)z.Length, a, b, skip, z);
    /// <summary>into = (float)(s r).</summary>
    public void ToFloat(double s, ArrayView<double> r, ArrayView<float> into) => _toFloat((int)r.Length, s, r, into);
    /// <summary>into = q on the unknowns (diagonal &gt; 0), 0 elsewhere.</summary>
    public void ToDoubleOnUnknowns(ArrayView<float> q, ArrayView<byte> diagonal, ArrayView<double> into) => _toDouble((int)q.Length, q, diagonal, into);
    /// <summary>into = q, every entry (vectors on unknowns only).</summary>
    public void ToDouble(ArrayView<float> q, ArrayView<double> into) => _widen((int)q.Length, q, into);

    /// <summary>y(c) = sum_o table[slot(c)][o] v(c + o), o over dz, dy, dx in -1..1 (x fastest), v = 0 outside.</summary>
    static void ApplyStencil(Index1D cell, GridShape g, ArrayView<int> slot, ArrayView<float> table, ArrayView<float> v, ArrayView<float> y)
    {
        int x = cell % g.Nx, yy = cell / g.Nx % g.Ny, z = cell / g.Plane;
        int row = slot[cell] * 27;
        float sum = 0;
        for (int dz = -1; dz <= 1; dz++)
        {
            int zz = z + dz;
            for (int dy = -1; dy <= 1; dy++)
            {
                int y2 = yy + dy;
                bool inside = zz >= 0 && zz < g.Nz && y2 >= 0 && y2 < g.Ny;
                int o = row + (dz + 1) * 9 + (dy + 1) * 3;
                if (inside)
                {
                    int w = (zz * g.Ny + y2) * g.Nx + x;
                    if (x > 0) sum += table[o] * v[w - 1];
                    sum += table[o + 1] * v[w];
                    if (x < g.Nx - 1) sum += table[o + 2] * v[w + 1];
                }
            }
        }
        y[cell] = sum;
    }

    /// <summary>coarse = the average of each 2x2x2 block of fine (cells beyond the fine grid count as 0).</summary>
    static void Pool(Index1D cell, GridShape f, GridShape c, ArrayView<float> fine, ArrayView<float> coarse)
    {
        int x = cell % c.Nx, y = cell / c.Nx % c.Ny, z = cell / c.Plane;
        float s = 0;
        for (int dz = 0; dz < 2; dz++)
            for (int dy = 0; dy < 2; dy++)
                for (int dx = 0; dx < 2; dx++)
                {
                    int zz = 2 * z + dz, yy = 2 * y + dy, xx = 2 * x + dx;
                    if (zz < f.Nz && yy < f.Ny && xx < f.Nx) s += fine[(zz * f.Ny + yy) * f.Nx + xx];
                }
        coarse[cell] = s * 0.125f;
    }

    /// <summary>fine = trilinear interpolation of coarse (align_corners = false, scale 1/2), cropped to the fine size.</summary>
    static void Upsample(Index1D cell, GridShape c, GridShape f, ArrayView<float> coarse, ArrayView<float> fine)
    {
        int x = cell % f.Nx, y = cell / f.Nx % f.Ny, z = cell / f.Plane;
        float sx = Source(x), sy = Source(y), sz = Source(z);
        int x0 = (int)sx, y0 = (int)sy, z0 = (int)sz;
        int x1 = x0 < c.Nx - 1 ? x0 + 1 : x0, y1 = y0 < c.Ny - 1 ? y0 + 1 : y0, z1 = z0 < c.Nz - 1 ? z0 + 1 : z0;
        float wx = sx - x0, wy = sy - y0, wz = sz - z0;
        float v00 = (1 - wx) * coarse[(z0 * c.Ny + y0) * c.Nx + x0] + wx * coarse[(z0 * c.Ny + y0) * c.Nx + x1];
        float v01 = (1 - wx) * coarse[(z0 * c.Ny + y1) * c.Nx + x0] + wx * coarse[(z0 * c.Ny + y1) * c.Nx + x1];
        float v10 = (1 - wx) * coarse[(z1 * c.Ny + y0) * c.Nx + x0] + wx * coarse[(z1 * c.Ny + y0) * c.Nx + x1];
        float v11 = (1 - wx) * coarse[(z1 * c.Ny + y1) * c.Nx + x0] + wx * coarse[(z1 * c.Ny + y1) * c.Nx + x1];
        fine[cell] = (1 - wz) * ((1 - wy) * v00 + wy * v01) + wz * ((1 - wy) * v10 + wy * v11);
    }

    /// <summary>PyTorch's linear rule with scale 1/2: the source coordinate max(0, (d + 0.5) / 2 - 0.5).</summary>
    static float Source(int d) => Math.Max(0f, 0.5f * (d + 0.5f) - 0.5f);

    static void Mix(Index1D i, float a, float b, ArrayView<float> skip, ArrayView<float> z) => z[i] = a * skip[i] + b * z[i];

    static void ToFloat(Index1D i, double s, ArrayView<double> r, ArrayView<float> into) => into[i] = (float)(s * r[i]);

    static void ToDoubleOnUnknowns(Index1D i, ArrayView<float> q, ArrayView<byte> diagonal, ArrayView<double> into) =>
        into[i] = diagonal[i] > 0 ? q[i] : 0.0;

    static void ToDouble(Index1D i, ArrayView<float> q, ArrayView<double> into) => into[i] = q[i];
}
