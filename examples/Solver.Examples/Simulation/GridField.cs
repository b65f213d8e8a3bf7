namespace Dcdm.Simulation;

/// <summary>
/// Values sampled on a regular lattice inside a voxel grid, in cell units: cell (i, j, k) spans [i, i+1) x [j, j+1)
/// x [k, k+1), and sample (i, j, k) sits at (i + Ox, j + Oy, k + Oz). Cell-centred scalars have offsets 1/2; a MAC
/// grid's x-velocities sit on the x-faces (offset 0 in x, 1/2 in y and z), and so on. Index i + Nx (j + Ny k).
/// </summary>
public sealed class GridField
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public double Ox { get; }
    public double Oy { get; }
    public double Oz { get; }
    public double[] Values { get; }

    public GridField(int nx, int ny, int nz, double ox, double oy, double oz)
    {
        if (nx < 2 || ny < 2 || nz < 2) throw new ArgumentOutOfRangeException(nameof(nx), $"a field needs at least 2 samples per axis, got {nx} x {ny} x {nz}");
        Nx = nx; Ny = ny; Nz = nz; Ox = ox; Oy = oy; Oz = oz;
        Values = new double[nx * ny * nz];
    }

    /// <summary>One value per cell of an nx*ny*nz grid, at the cell centres (the grid's own index order).</summary>
    public static GridField CellCentred(int nx, int ny, int nz) => new(nx, ny, nz, 0.5, 0.5, 0.5);

    /// <summary>A field of the same lattice, zero.</summary>
    public GridField SameLattice() => new(Nx, Ny, Nz, Ox, Oy, Oz);

    public int Index(int i, int j, int k) => i + Nx * (j + Ny * k);

    public double this[int i, int j, int k]
    {
        get => Values[Index(i, j, k)];
        set => Values[Index(i, j, k)] = value;
    }

    /// <summary>Trilinear interpolation at a point in cell units; points outside the lattice take the nearest boundary sample.</summary>
    public double Sample(double x, double y, double z)
    {
        Locate(x - Ox, Nx, out int i, out double fx);
        Locate(y - Oy, Ny, out int j, out double fy);
        Locate(z - Oz, Nz, out int k, out double fz);
        var v = Values;
        int a = Index(i, j, k), sy = Nx, sz = Nx * Ny;
        double c00 = v[a] + fx * (v[a + 1] - v[a]);
        double c10 = v[a + sy] + fx * (v[a + sy + 1] - v[a + sy]);
        double c01 = v[a + sz] + fx * (v[a + sz + 1] - v[a + sz]);
        double c11 = v[a + sy + sz] + fx * (v[a + sy + sz + 1] - v[a + sy + sz]);
        double c0 = c00 + fy * (c10 - c00), c1 = c01 + fy * (c11 - c01);
        return c0 + fz * (c1 - c0);
    }

    /// <summary>The lower sample of the interval holding s (clamped to the lattice) and the fraction past it.</summary>
    static void Locate(double s, int n, out int lower, out double fraction)
    {
        if (!(s > 0)) { lower = 0; fraction = 0; return; } // also NaN: a stray point reads the boundary, never out of range
        if (s >= n - 1) { lower = n - 2; fraction = 1; return; }
        lower = (int)s;
        fraction = s - lower;
    }

    public double MaxAbs()
    {
        double m = 0;
        foreach (double v in Values) m = Math.Max(m, Math.Abs(v));
        return m;
    }
}
