using Dcdm.Multigrid;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dcdm.Sparse;

namespace Dcdm.Tests.Reference;

/// <summary>
/// The V-cycle's kernels on one level's full grid, parallel over z-planes on large levels. Vectors are 0 off the
/// unknowns, so (A x)_i = s (d_i x_i - sum of the 6 neighbours' x) needs no flag tests (s: the level's scale).
/// Plain loops: each is checked against a direct formula in the tests.
/// </summary>
static class LevelOps
{
    /// <summary>Below this many cells a level runs on the calling thread (fork and join would cost more).</summary>
    const int ParallelCells = 1 << 16;

    static void ForPlanes(int planes, int cells, Action<int> body)
    {
        if (cells < ParallelCells) for (int z = 0; z < planes; z++) body(z);
        else Parallel.For(0, planes, body);
    }

    /// <summary>sum of the 6 neighbours' x of cell (x, y, z) at index i; outside the grid counts 0.</summary>
    static double Neighbours(double[] v, int i, int x, int y, int z, int nx, int ny, int nz)
    {
        int plane = nx * ny;
        double s = 0;
        if (x > 0) s += v[i - 1];
        if (x < nx - 1) s += v[i + 1];
        if (y > 0) s += v[i - nx];
        if (y < ny - 1) s += v[i + nx];
        if (z > 0) s += v[i - plane];
        if (z < nz - 1) s += v[i + plane];
        return s;
    }

    /// <summary>1 / d for a diagonal byte d of the 7-point operator (0 for d = 0: not an unknown), to multiply instead of divide.</summary>
    static readonly double[] InverseDiagonal = [0, 1, 1 / 2.0, 1 / 3.0, 1 / 4.0, 1 / 5.0, 1 / 6.0];

    /// <summary>Sum of the 6 neighbours of an interior cell i (none on the grid's faces): no bounds tests, in Neighbours' order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static double InteriorNeighbours(ref double v, int i, int nx, int plane) =>
        Unsafe.Add(ref v, i - 1) + Unsafe.Add(ref v, i + 1) + Unsafe.Add(ref v, i - nx) + Unsafe.Add(ref v, i + nx)
        + Unsafe.Add(ref v, i - plane) + Unsafe.Add(ref v, i + plane);

    /// <summary>
    /// Gauss-Seidel on the cells of one colour ((x + y + z) % 2 == colour), in place: x_i = (b_i / s + sum of the
    /// neighbours' x) / d_i. A cell's neighbours all have the other colour, so the planes run in parallel. Cells off
    /// the grid's faces read their neighbours without bounds tests (the hot path: most cells of a level).
    /// </summary>
    public static void GaussSeidelColour(MultigridLevel l, int colour)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, plane = nx * ny;
        var d = l.Diagonal; var b = l.B; var x = l.X;
        double inverseScale = 1 / l.Scale;
        ForPlanes(nz, l.Cells, z =>
        {
            ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
            var inverse = InverseDiagonal;
            for (int y = 0; y < ny; y++)
            {
                int row = (z * ny + y) * nx;
                bool innerRow = y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                for (int xx = (colour + y + z) & 1; xx < nx; xx += 2)
                {
                    int i = row + xx, di = d[i];
                    if (di == 0) continue;
                    double sides = innerRow && xx > 0 && xx < nx - 1 ? InteriorNeighbours(ref xr, i, nx, plane) : Neighbours(x, i, xx, y, z, nx, ny, nz);
                    x[i] = (b[i] * inverseScale + sides) * inverse[di];
                }
            }
        });
    }

    /// <summary>Work = B - A X on the unknowns, 0 elsewhere.</summary>
    public static void Residual(MultigridLevel l)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz, plane = nx * ny;
        var d = l.Diagonal; var b = l.B; var x = l.X; var r = l.Work;
        double s = l.Scale;
        ForPlanes(nz, l.Cells, z =>
        {
            ref double xr = ref MemoryMarshal.GetArrayDataReference(x);
            for (int y = 0; y < ny; y++)
            {
                bool innerRow = y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                for (int i = (z * ny + y) * nx, xx = 0; xx < nx; xx++, i++)
                {
                    int di = d[i];
                    if (di == 0) { r[i] = 0; continue; }
                    double sides = innerRow && xx > 0 && xx < nx - 1 ? InteriorNeighbours(ref xr, i, nx, plane) : Neighbours(x, i, xx, y, z, nx, ny, nz);
                    r[i] = b[i] - s * (di * x[i] - sides);
                }
            }
        });
    }

    /// <summary>
    /// The trilinear weights of a cell-centred fine index i onto the coarse grid of size nc: its own coarse cell i / 2
    /// with 3/4 and the coarse neighbour on its side with 1/4 (none past the grid's edge).
    /// </summary>
    public static (int Near, int Far) Coarse(int i, int nc)
    {
        int near = i / 2, far = (i & 1) == 0 ? near - 1 : near + 1;
        return (near, far >= 0 && far < nc ? far : -1);
    }

    /// <summary>The weight of coarse index j in the prolongation to fine index f, for f in 2j-1 .. 2j+2: 1/4, 3/4, 3/4, 1/4 (<see cref="Coarse"/>, transposed).</summary>
    static double Weight(int f, int j) => f == 2 * j || f == 2 * j + 1 ? 0.75 : 0.25;

    /// <summary>A line buffer of n doubles for one plane's loop: on the stack when small.</summary>
    const int StackLine = 2048;

    /// <summary>
    /// coarse.B = R fine.Work with R = P^T / 8 (full weighting), on the coarse unknowns. fine.Work must be 0 off the fine
    /// unknowns (<see cref="Residual"/> makes it so): R then reads the fine unknowns only, P^T / 8 exactly. Per coarse row,
    /// the 16 fine rows it reads are first summed with their y and z weights into one fine line (vectorised), then each
    /// coarse cell weighs 4 cells of that line: 4 fine reads per fine cell instead of 8.
    /// </summary>
    public static void Restrict(MultigridLevel fine, MultigridLevel coarse)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var r = fine.Work; var b = coarse.B; var d = coarse.Diagonal;
        ForPlanes(cz, coarse.Cells + fine.Cells, z =>
        {
            Span<double> line = fx <= StackLine ? stackalloc double[fx] : new double[fx];
            for (int y = 0; y < cy; y++)
            {
                line.Clear();
                for (int a = Math.Max(0, 2 * z - 1); a <= 2 * z + 2 && a < fz; a++)
                    for (int e = Math.Max(0, 2 * y - 1); e <= 2 * y + 2 && e < fy; e++)
                        VectorOps.Axpy(Weight(a, z) * Weight(e, y), r.AsSpan((a * fy + e) * fx, fx), line);
                for (int x = 0, c = (z * cy + y) * cx; x < cx; x++, c++)
                {
                    if (d[c] == 0) { b[c] = 0; continue; }
                    double sum = 0;
                    for (int g = Math.Max(0, 2 * x - 1); g <= 2 * x + 2 && g < fx; g++) sum += Weight(g, x) * line[g];
                    b[c] = sum / 8;
                }
            }
        });
    }

    /// <summary>
    /// fine.X += P coarse.X on the fine unknowns: trilinear from the 8 nearest coarse cells (0 off the coarse unknowns).
    /// Per fine row, the 4 coarse rows it reads are first summed with their y and z weights into one coarse line; each
    /// fine cell then reads 2 cells of that line.
    /// </summary>
    public static void ProlongAdd(MultigridLevel coarse, MultigridLevel fine)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var e = coarse.X; var x = fine.X; var d = fine.Diagonal;
        ForPlanes(fz, fine.Cells, z =>
        {
            Span<double> line = cx <= StackLine ? stackalloc double[cx] : new double[cx];
            var (z0, z1) = Coarse(z, cz);
            double wz1 = z1 >= 0 ? 0.25 : 0;
            if (z1 < 0) z1 = z0; // weight 0: any row in the grid
            for (int y = 0; y < fy; y++)
            {
                var (y0, y1) = Coarse(y, cy);
                double wy1 = y1 >= 0 ? 0.25 : 0;
                if (y1 < 0) y1 = y0;
                int r00 = (z0 * cy + y0) * cx, r01 = (z0 * cy + y1) * cx, r10 = (z1 * cy + y0) * cx, r11 = (z1 * cy + y1) * cx;
                // line = sum of the 4 coarse rows with their weights (vectorised; a weight 0 past the grid's edge adds nothing)
                line.Clear();
                VectorOps.Axpy(0.75 * 0.75, e.AsSpan(r00, cx), line);
                if (wy1 > 0) VectorOps.Axpy(0.75 * wy1, e.AsSpan(r01, cx), line);
                if (wz1 > 0) VectorOps.Axpy(wz1 * 0.75, e.AsSpan(r10, cx), line);
                if (wz1 > 0 && wy1 > 0) VectorOps.Axpy(wz1 * wy1, e.AsSpan(r11, cx), line);
                // the fine cells 2c and 2c + 1 take 3/4 of coarse cell c, and 1/4 of c - 1 and of c + 1 (when inside)
                for (int c = 0, i = (z * fy + y) * fx; c < cx; c++, i += 2)
                {
                    double near = 0.75 * line[c];
                    if (d[i] != 0) x[i] += near + (c > 0 ? 0.25 * line[c - 1] : 0);
                    if (2 * c + 1 < fx && d[i + 1] != 0) x[i + 1] += near + (c + 1 < cx ? 0.25 * line[c + 1] : 0);
                }
            }
        });
    }
}
