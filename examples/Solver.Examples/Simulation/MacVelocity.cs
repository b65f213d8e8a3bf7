using Dcdm.Poisson;

namespace Dcdm.Simulation;

/// <summary>
/// A staggered (MAC) velocity field on an nx*ny*nz voxel grid, in cells per second: U on the x-faces
/// ((nx+1) x ny x nz), V on the y-faces, W on the z-faces. Face i of U lies between cells i-1 and i; faces on the
/// grid's boundary are walls. With p scaled by dt / (rho h^2), the projection u -= grad p makes the divergence
/// of every fluid cell (A p - b) with A the grid's 7-point operator and b = -div u, so the solver's residual is
/// the divergence left.
/// </summary>
public sealed class MacVelocity
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public GridField U { get; }
    public GridField V { get; }
    public GridField W { get; }
    byte[]? _known, _knownNext; // extrapolation's masks, made at its first use

    public MacVelocity(int nx, int ny, int nz)
    {
        Nx = nx; Ny = ny; Nz = nz;
        U = new GridField(nx + 1, ny, nz, 0, 0.5, 0.5);
        V = new GridField(nx, ny + 1, nz, 0.5, 0, 0.5);
        W = new GridField(nx, ny, nz + 1, 0.5, 0.5, 0);
    }

    /// <summary>The three components, x first.</summary>
    public GridField[] Components => [U, V, W];

    /// <summary>The velocity at a point (cell units), each component interpolated on its own faces.</summary>
    public (double u, double v, double w) At(double x, double y, double z) => (U.Sample(x, y, z), V.Sample(x, y, z), W.Sample(x, y, z));

    /// <summary>A bound on the speed anywhere: the largest |u|, |v| and |w| taken together.</summary>
    public double MaxSpeed()
    {
        double u = U.MaxAbs(), v = V.MaxAbs(), w = W.MaxAbs();
        return Math.Sqrt(u * u + v * v + w * w);
    }

    /// <summary>b = -div u on the fluid cells, 0 elsewhere (one value per cell). Returns ||div u|| over the fluid cells.</summary>
    public double NegativeDivergence(PoissonGrid grid, Span<double> b)
    {
        var cells = grid.Cells;
        double sum = 0;
        for (int k = 0; k < Nz; k++)
            for (int j = 0; j < Ny; j++)
                for (int i = 0; i < Nx; i++)
                {
                    int c = grid.Index(i, j, k);
                    if (cells[c] != CellType.Fluid) { b[c] = 0; continue; }
                    double div = U[i + 1, j, k] - U[i, j, k] + V[i, j + 1, k] - V[i, j, k] + W[i, j, k + 1] - W[i, j, k];
                    b[c] = -div;
                    sum += div * div;
                }
        return Math.Sqrt(sum);
    }

    /// <summary>Faces on the grid boundary or touching a solid cell get the walls' velocity, 0 (no flow through a wall).</summary>
    public void ZeroWallFaces(PoissonGrid grid)
    {
        var cells = grid.Cells;
        foreach (var (v, face, below, above) in Faces(grid))
            if (below < 0 || above < 0 || cells[below] == CellType.Solid || cells[above] == CellType.Solid) v[face] = 0;
    }

    /// <summary>
    /// u -= grad p on every face with a fluid cell on either side and no wall (p is 0 in air cells, its Dirichlet value).
    /// </summary>
    public void SubtractPressureGradient(PoissonGrid grid, ReadOnlySpan<double> p)
    {
        var cells = grid.Cells;
        foreach (var (v, face, below, above) in Faces(grid))
        {
            if (below < 0 || above < 0) continue;
            CellType a = cells[below], c = cells[above];
            if (a == CellType.Solid || c == CellType.Solid || a != CellType.Fluid && c != CellType.Fluid) continue;
            v[face] -= Pressure(p, c, above) - Pressure(p, a, below);
        }
    }

    /// <summary>Every face of the three components: its component's values, its index there, and the cells on either side (-1 outside the grid).</summary>
    IEnumerable<(double[] Values, int Face, int Below, int Above)> Faces(PoissonGrid grid)
    {
        for (int axis = 0; axis < 3; axis++)
        {
            var f = Components[axis];
            for (int k = 0; k < f.Nz; k++)
                for (int j = 0; j < f.Ny; j++)
                    for (int i = 0; i < f.Nx; i++)
                    {
                        var (below, above) = Neighbours(grid, axis, i, j, k);
                        yield return (f.Values, f.Index(i, j, k), below, above);
                    }
        }
    }

    static double Pressure(ReadOnlySpan<double> p, CellType type, int cell) => type == CellType.Fluid ? p[cell] : 0;

    /// <summary>The cells on either side of face (i, j, k) of a component, -1 outside the grid.</summary>
    (int below, int above) Neighbours(PoissonGrid grid, int axis, int i, int j, int k) => axis switch
    {
        0 => (i > 0 ? grid.Index(i - 1, j, k) : -1, i < Nx ? grid.Index(i, j, k) : -1),
        1 => (j > 0 ? grid.Index(i, j - 1, k) : -1, j < Ny ? grid.Index(i, j, k) : -1),
        _ => (k > 0 ? grid.Index(i, j, k - 1) : -1, k < Nz ? grid.Index(i, j, k) : -1),
    };

    /// <summary>
    /// Extends the velocity from the faces next to fluid into the rest of the grid, one layer of faces per pass:
    /// an unknown face takes the mean of its known neighbours on the same lattice. Advection and particles then
    /// read a velocity near the surface instead of stale air values.
    /// </summary>
    public void Extrapolate(PoissonGrid grid, int layers)
    {
        var cells = grid.Cells;
        foreach (var (f, axis) in Components.Select((f, a) => (f, a)))
        {
            var v = f.Values;
            var known = _known ??= new byte[Math.Max(U.Values.Length, Math.Max(V.Values.Length, W.Values.Length))];
            var next = _knownNext ??= new byte[known.Length];
            for (int k = 0; k < f.Nz; k++)
                for (int j = 0; j < f.Ny; j++)
                    for (int i = 0; i < f.Nx; i++)
                    {
                        var (below, above) = Neighbours(grid, axis, i, j, k);
                        known[f.Index(i, j, k)] = (byte)(below >= 0 && cells[below] == CellType.Fluid || above >= 0 && cells[above] == CellType.Fluid ? 1 : 0);
                    }
            int sy = f.Nx, sz = f.Nx * f.Ny;
            for (int layer = 0; layer < layers; layer++)
            {
                Array.Copy(known, next, v.Length);
                for (int k = 0; k < f.Nz; k++)
                    for (int j = 0; j < f.Ny; j++)
                        for (int i = 0; i < f.Nx; i++)
                        {
                            int a = f.Index(i, j, k);
                            if (known[a] != 0) continue;
                            double sum = 0;
                            int count = 0;
                            void From(bool inside, int b) { if (inside && known[b] != 0) { sum += v[b]; count++; } }
                            From(i > 0, a - 1); From(i < f.Nx - 1, a + 1);
                            From(j > 0, a - sy); From(j < f.Ny - 1, a + sy);
                            From(k > 0, a - sz); From(k < f.Nz - 1, a + sz);
                            if (count > 0) { v[a] = sum / count; next[a] = 1; }
                        }
                Array.Copy(next, known, v.Length);
            }
        }
    }
}
