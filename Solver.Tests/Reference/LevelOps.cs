namespace Dcdm.Tests.Reference;

/// <summary>
/// The geometric V-cycle's kernels on one level's full grid, in double with plain loops: the reference the float32
/// kernels and the device's are checked against. Vectors are 0 off the unknowns, so (A x)_i = s (d_i x_i - sum of the
/// in-grid face neighbours' x) needs no flag tests (s: the level's scale).
/// </summary>
static class LevelOps
{
    static readonly (int Dx, int Dy, int Dz)[] Faces = [(-1, 0, 0), (1, 0, 0), (0, -1, 0), (0, 1, 0), (0, 0, -1), (0, 0, 1)];

    /// <summary>Sum of v over the face neighbours of cell (x, y, z) that lie inside the grid.</summary>
    static double Neighbours(MultigridLevel l, double[] v, int x, int y, int z)
    {
        double sum = 0;
        foreach (var (dx, dy, dz) in Faces)
        {
            int u = x + dx, w = y + dy, t = z + dz;
            if (u >= 0 && u < l.Nx && w >= 0 && w < l.Ny && t >= 0 && t < l.Nz) sum += v[l.Index(u, w, t)];
        }
        return sum;
    }

    /// <summary>Gauss-Seidel on the unknowns of one colour ((x + y + z) % 2 == colour), in place: x_i = (b_i / s + sum of the neighbours' x) / d_i.</summary>
    public static void GaussSeidelColour(MultigridLevel l, int colour)
    {
        for (int z = 0; z < l.Nz; z++)
            for (int y = 0; y < l.Ny; y++)
                for (int x = 0; x < l.Nx; x++)
                {
                    int i = l.Index(x, y, z);
                    if ((x + y + z) % 2 == colour && l.Diagonal[i] != 0)
                        l.X[i] = (l.B[i] / l.Scale + Neighbours(l, l.X, x, y, z)) / l.Diagonal[i];
                }
    }

    /// <summary>Work = B - A X on the unknowns, 0 elsewhere.</summary>
    public static void Residual(MultigridLevel l)
    {
        for (int z = 0; z < l.Nz; z++)
            for (int y = 0; y < l.Ny; y++)
                for (int x = 0; x < l.Nx; x++)
                {
                    int i = l.Index(x, y, z);
                    l.Work[i] = l.Diagonal[i] == 0 ? 0 : l.B[i] - l.Scale * (l.Diagonal[i] * l.X[i] - Neighbours(l, l.X, x, y, z));
                }
    }

    /// <summary>
    /// Cell-centred trilinear weights along one axis: fine index f takes 3/4 of its own coarse cell f / 2 (k = 0) and 1/4
    /// of the coarse neighbour on its side (k = 1; cell -1 past the grid's edge, nc coarse cells).
    /// </summary>
    static (int Cell, double Weight) Parent(int f, int nc, int k)
    {
        int near = f / 2, far = f % 2 == 0 ? near - 1 : near + 1;
        return k == 0 ? (near, 0.75) : far >= 0 && far < nc ? (far, 0.25) : (-1, 0);
    }

    /// <summary>The 8 trilinear parents of fine cell (x, y, z) on the coarse level (fewer at its edges), index and weight, into a span: how many.</summary>
    static int Parents(MultigridLevel coarse, int x, int y, int z, Span<(int Index, double Weight)> parents)
    {
        int count = 0;
        for (int kz = 0; kz < 2; kz++)
            for (int ky = 0; ky < 2; ky++)
                for (int kx = 0; kx < 2; kx++)
                {
                    var ((cz, wz), (cy, wy), (cx, wx)) = (Parent(z, coarse.Nz, kz), Parent(y, coarse.Ny, ky), Parent(x, coarse.Nx, kx));
                    if (cz >= 0 && cy >= 0 && cx >= 0) parents[count++] = (coarse.Index(cx, cy, cz), wz * wy * wx);
                }
        return count;
    }

    /// <summary>fine.X += P coarse.X on the fine unknowns: trilinear from the 8 nearest coarse cells.</summary>
    public static void ProlongAdd(MultigridLevel coarse, MultigridLevel fine)
    {
        Span<(int Index, double Weight)> parents = stackalloc (int, double)[8];
        for (int z = 0; z < fine.Nz; z++)
            for (int y = 0; y < fine.Ny; y++)
                for (int x = 0; x < fine.Nx; x++)
                {
                    int i = fine.Index(x, y, z);
                    if (fine.Diagonal[i] == 0) continue;
                    foreach (var (c, w) in parents[..Parents(coarse, x, y, z, parents)]) fine.X[i] += w * coarse.X[c];
                }
    }

    /// <summary>
    /// coarse.B = R fine.Work with R = P^T / 8 (full weighting), on the coarse unknowns: each fine cell sends its
    /// residual to its 8 coarse parents with the prolongation's weights. fine.Work is 0 off the fine unknowns.
    /// </summary>
    public static void Restrict(MultigridLevel fine, MultigridLevel coarse)
    {
        Array.Clear(coarse.B);
        Span<(int Index, double Weight)> parents = stackalloc (int, double)[8];
        for (int z = 0; z < fine.Nz; z++)
            for (int y = 0; y < fine.Ny; y++)
                for (int x = 0; x < fine.Nx; x++)
                {
                    double r = fine.Work[fine.Index(x, y, z)];
                    if (r != 0)
                        foreach (var (c, w) in parents[..Parents(coarse, x, y, z, parents)]) coarse.B[c] += w * r / 8;
                }
        for (int c = 0; c < coarse.Cells; c++)
            if (coarse.Diagonal[c] == 0) coarse.B[c] = 0;
    }
}
