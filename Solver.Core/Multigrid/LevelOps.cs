namespace Dcdm.Multigrid;

/// <summary>
/// The V-cycle's kernels on one level's full grid, parallel over z-planes on large levels. Vectors are 0 off the
/// unknowns, so (A x)_i = s (d_i x_i - sum of the 6 neighbours' x) needs no flag tests (s: the level's scale).
/// Plain loops: each is checked against a direct formula in the tests.
/// </summary>
internal static class LevelOps
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

    /// <summary>
    /// Gauss-Seidel on the cells of one colour ((x + y + z) % 2 == colour), in place: x_i = (b_i / s + sum of the
    /// neighbours' x) / d_i. A cell's neighbours all have the other colour, so the planes run in parallel.
    /// </summary>
    public static void GaussSeidelColour(MultigridLevel l, int colour)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz;
        var d = l.Diagonal; var b = l.B; var x = l.X;
        double inverseScale = 1 / l.Scale;
        ForPlanes(nz, l.Cells, z =>
        {
            for (int y = 0; y < ny; y++)
            {
                int row = (z * ny + y) * nx;
                for (int xx = (colour + y + z) & 1; xx < nx; xx += 2)
                {
                    int i = row + xx;
                    if (d[i] != 0) x[i] = (b[i] * inverseScale + Neighbours(x, i, xx, y, z, nx, ny, nz)) / d[i];
                }
            }
        });
    }

    /// <summary>Work = B - A X on the unknowns, 0 elsewhere.</summary>
    public static void Residual(MultigridLevel l)
    {
        int nx = l.Nx, ny = l.Ny, nz = l.Nz;
        var d = l.Diagonal; var b = l.B; var x = l.X; var r = l.Work;
        double s = l.Scale;
        ForPlanes(nz, l.Cells, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int i = (z * ny + y) * nx, xx = 0; xx < nx; xx++, i++)
                    r[i] = d[i] == 0 ? 0 : b[i] - s * (d[i] * x[i] - Neighbours(x, i, xx, y, z, nx, ny, nz));
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

    /// <summary>coarse.B = R fine.Work with R = P^T / 8 (full weighting), on the coarse unknowns.</summary>
    public static void Restrict(MultigridLevel fine, MultigridLevel coarse)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var r = fine.Work; var b = coarse.B; var d = coarse.Diagonal; var fd = fine.Diagonal;
        ForPlanes(cz, coarse.Cells + fine.Cells, z =>
        {
            Span<int> iz = stackalloc int[4], iy = stackalloc int[4], ix = stackalloc int[4];
            Span<double> wz = stackalloc double[4], wy = stackalloc double[4], wx = stackalloc double[4];
            int nzs = FineOf(z, fz, cz, iz, wz);
            for (int y = 0; y < cy; y++)
            {
                int nys = FineOf(y, fy, cy, iy, wy);
                for (int x = 0; x < cx; x++)
                {
                    int c = (z * cy + y) * cx + x;
                    if (d[c] == 0) { b[c] = 0; continue; }
                    int nxs = FineOf(x, fx, cx, ix, wx);
                    double sum = 0;
                    for (int a = 0; a < nzs; a++)
                        for (int e = 0; e < nys; e++)
                        {
                            int row = (iz[a] * fy + iy[e]) * fx;
                            double w = wz[a] * wy[e];
                            for (int g = 0; g < nxs; g++)
                                if (fd[row + ix[g]] != 0) sum += w * wx[g] * r[row + ix[g]]; // fine unknowns only: R = P^T / 8 exactly
                        }
                    b[c] = sum / 8;
                }
            }
        });
    }

    /// <summary>The fine indices whose prolongation reads coarse index j, with their weights: the transpose of <see cref="Coarse"/>.</summary>
    static int FineOf(int j, int nf, int nc, Span<int> index, Span<double> weight)
    {
        int n = 0;
        for (int i = 2 * j - 1; i <= 2 * j + 2; i++)
        {
            if (i < 0 || i >= nf) continue;
            var (near, far) = Coarse(i, nc);
            if (near == j) { index[n] = i; weight[n++] = 0.75; }
            else if (far == j) { index[n] = i; weight[n++] = 0.25; }
        }
        return n;
    }

    /// <summary>fine.X += P coarse.X on the fine unknowns: trilinear from the 8 nearest coarse cells (0 off the coarse unknowns).</summary>
    public static void ProlongAdd(MultigridLevel coarse, MultigridLevel fine)
    {
        int fx = fine.Nx, fy = fine.Ny, fz = fine.Nz, cx = coarse.Nx, cy = coarse.Ny, cz = coarse.Nz;
        var e = coarse.X; var x = fine.X; var d = fine.Diagonal;
        ForPlanes(fz, fine.Cells, z =>
        {
            var (z0, z1) = Coarse(z, cz);
            for (int y = 0; y < fy; y++)
            {
                var (y0, y1) = Coarse(y, cy);
                for (int xx = 0, i = (z * fy + y) * fx; xx < fx; xx++, i++)
                {
                    if (d[i] == 0) continue;
                    var (x0, x1) = Coarse(xx, cx);
                    double v = 0.75 * (0.75 * Line(e, z0, y0, x0, x1, cx, cy) + (y1 >= 0 ? 0.25 * Line(e, z0, y1, x0, x1, cx, cy) : 0));
                    if (z1 >= 0) v += 0.25 * (0.75 * Line(e, z1, y0, x0, x1, cx, cy) + (y1 >= 0 ? 0.25 * Line(e, z1, y1, x0, x1, cx, cy) : 0));
                    x[i] += v;
                }
            }
        });
    }

    static double Line(double[] e, int z, int y, int x0, int x1, int cx, int cy) =>
        0.75 * e[(z * cy + y) * cx + x0] + (x1 >= 0 ? 0.25 * e[(z * cy + y) * cx + x1] : 0);

}
