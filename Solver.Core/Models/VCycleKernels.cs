using System.Numerics;

namespace Dcdm.Models;

/// <summary>
/// The float32 kernels of <see cref="VCycleDirection"/> on one level's full grid, parallel over z-planes on large
/// levels. Vectors are 0 off the unknowns. Restriction and prolongation are the trilinear weights (3/4 to a fine
/// cell's own coarse cell, 1/4 to the one on its side, none past the grid's edge) applied one axis at a time:
/// 4 taps per output and axis instead of 64 per coarse cell. Each is checked against LevelOps (double) in the tests.
/// </summary>
internal static class VCycleKernels
{
    /// <summary>The level's planes that hold unknowns (the others stay 0 in every vector), in parallel on large levels.</summary>
    static void ForPlanes(VCycleLevel l, Action<int> body)
    {
        if ((l.LastPlane - l.FirstPlane + 1) * l.Nx * l.Ny < GridOps.ParallelCells) for (int z = l.FirstPlane; z <= l.LastPlane; z++) body(z);
        else Parallel.For(l.FirstPlane, l.LastPlane + 1, body);
    }

    /// <summary>Work = B - s (d X - sum of the 6 neighbours' X) on the unknowns, 0 elsewhere; vectorised inside the grid.</summary>
    public static unsafe void Residual(VCycleLevel l)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, plane = nx * ny, width = Vector<float>.Count;
        float s = l.Scale;
        ForPlanes(l, z =>
        {
            fixed (float* b = l.B, x = l.X, r = l.Work, d = l.Diagonal)
                for (int y = 0; y < ny; y++)
                {
                    int row = (z * ny + y) * nx, xx = 0;
                    if (y > 0 && y < ny - 1 && z > 0 && z < nz - 1 && Vector.IsHardwareAccelerated)
                    {
                        Edge(l, row, 0, y, z, b, x, r, d, s);
                        var vs = new Vector<float>(s);
                        for (xx = 1; xx + width < nx; xx += width)
                        {
                            int i = row + xx;
                            var sides = Vector.Load(x + i - 1) + Vector.Load(x + i + 1) + Vector.Load(x + i - nx) + Vector.Load(x + i + nx)
                                      + Vector.Load(x + i - plane) + Vector.Load(x + i + plane);
                            var dv = Vector.Load(d + i);
                            var value = Vector.Load(b + i) - vs * (dv * Vector.Load(x + i) - sides);
                            Vector.ConditionalSelect(Vector.GreaterThan(dv, Vector<float>.Zero), value, Vector<float>.Zero).Store(r + i);
                        }
                    }
                    for (; xx < nx; xx++) Edge(l, row, xx, y, z, b, x, r, d, s);
                }
        });
    }

    static unsafe void Edge(VCycleLevel l, int row, int xx, int y, int z, float* b, float* x, float* r, float* d, float s)
    {
        int i = row + xx, nx = l.Nx, ny = l.Ny, plane = nx * ny;
        if (d[i] == 0) { r[i] = 0; return; }
        float sides = 0;
        if (xx > 0) sides += x[i - 1];
        if (xx < nx - 1) sides += x[i + 1];
        if (y > 0) sides += x[i - nx];
        if (y < ny - 1) sides += x[i + nx];
        if (z > 0) sides += x[i - plane];
        if (z < l.Nz - 1) sides += x[i + plane];
        r[i] = b[i] - s * (d[i] * x[i] - sides);
    }

    /// <summary>
    /// Successive over-relaxation on the unknowns of one colour ((x + y + z) % 2), in place:
    /// x += w (x_GS - x) with x_GS = (b / s + sum of the neighbours' x) / d; w = 1 (Gauss-Seidel) when no weights are
    /// given. A cell's neighbours all have the other colour, so the planes run in parallel.
    /// </summary>
    public static void Relax(VCycleLevel l, int colour, float[]? weight)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, plane = nx * ny;
        var d = l.InverseDiagonal; var b = l.B; var x = l.X;
        float inverseScale = 1 / l.Scale;
        ForPlanes(l, z =>
        {
            bool inner = z > 0 && z < nz - 1;
            for (int y = 0; y < ny; y++)
            {
                int row = (z * ny + y) * nx;
                bool innerRow = inner && y > 0 && y < ny - 1;
                for (int xx = (colour + y + z) & 1, i = row + xx; xx < nx; xx += 2, i += 2)
                {
                    if (d[i] == 0) continue;
                    float sides;
                    if (innerRow && xx > 0 && xx < nx - 1) sides = x[i - 1] + x[i + 1] + x[i - nx] + x[i + nx] + x[i - plane] + x[i + plane];
                    else
                    {
                        sides = 0;
                        if (xx > 0) sides += x[i - 1];
                        if (xx < nx - 1) sides += x[i + 1];
                        if (y > 0) sides += x[i - nx];
                        if (y < ny - 1) sides += x[i + nx];
                        if (z > 0) sides += x[i - plane];
                        if (z < nz - 1) sides += x[i + plane];
                    }
                    float gaussSeidel = (b[i] * inverseScale + sides) * d[i];
                    x[i] = weight is null ? gaussSeidel : x[i] + weight[i] * (gaussSeidel - x[i]);
                }
            }
        });
    }

    /// <summary>coarse.B = P^T fine.Work / 8 on the coarse unknowns: along x into Half, along y into Quarter, along z into B.</summary>
    public static void Restrict(VCycleLevel fine, VCycleLevel coarse)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var w = fine.Work; var half = fine.Half; var quarter = fine.Quarter; var b = coarse.B; var d = coarse.Diagonal;
        ForPlanes(fine, z =>
        {
            for (int y = 0; y < fy; y++)
            {
                int from = (z * fy + y) * fx, to = (z * fy + y) * cx;
                for (int j = 0; j < cx; j++) half[to + j] = Gather(w, from, 1, fx, j);
            }
            for (int j = 0; j < cy; j++)
                for (int x = 0; x < cx; x++) quarter[(z * cy + j) * cx + x] = Gather(half, z * fy * cx + x, cx, fy, j);
        });
        ForPlanes(coarse, j =>
        {
            for (int y = 0; y < cy; y++)
                for (int x = 0, c = (j * cy + y) * cx; x < cx; x++, c++)
                    b[c] = d[c] == 0 ? 0 : Gather(quarter, y * cx + x, cx * cy, fz, j) / 8;
        });
    }

    /// <summary>sum over the fine indices i = 2j - 1 .. 2j + 2 inside 0..n-1 of (1/4, 3/4, 3/4, 1/4) v[start + i stride].</summary>
    static float Gather(float[] v, int start, int stride, int n, int j)
    {
        int i = 2 * j - 1;
        float sum = 0;
        if (i >= 0) sum += 0.25f * v[start + i * stride];
        if (i + 1 < n) sum += 0.75f * v[start + (i + 1) * stride];
        if (i + 2 < n) sum += 0.75f * v[start + (i + 2) * stride];
        if (i + 3 < n) sum += 0.25f * v[start + (i + 3) * stride];
        return sum;
    }

    /// <summary>fine.X += P coarse.X on the fine unknowns: along z into Quarter, along y into Half, along x into X.</summary>
    public static void ProlongAdd(VCycleLevel coarse, VCycleLevel fine)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var e = coarse.X; var half = fine.Half; var quarter = fine.Quarter; var x = fine.X; var d = fine.Diagonal;
        ForPlanes(fine, z =>
        {
            for (int y = 0; y < cy; y++)
                for (int i = 0; i < cx; i++) quarter[(z * cy + y) * cx + i] = Spread(e, y * cx + i, cx * cy, cz, z);
            for (int y = 0; y < fy; y++)
                for (int i = 0; i < cx; i++) half[(z * fy + y) * cx + i] = Spread(quarter, z * cy * cx + i, cx, cy, y);
            for (int y = 0; y < fy; y++)
            {
                int row = (z * fy + y) * fx, from = (z * fy + y) * cx;
                for (int i = 0; i < fx; i++)
                    if (d[row + i] != 0) x[row + i] += Spread(half, from, 1, cx, i);
            }
        });
    }

    /// <summary>3/4 v at coarse index i / 2 plus 1/4 v at the coarse index on i's side (if inside 0..n-1).</summary>
    static float Spread(float[] v, int start, int stride, int n, int i)
    {
        int near = i / 2, far = (i & 1) == 0 ? near - 1 : near + 1;
        float value = 0.75f * v[start + near * stride];
        return far >= 0 && far < n ? value + 0.25f * v[start + far * stride] : value;
    }
}
