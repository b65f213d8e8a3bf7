using Dcdm.Poisson;

namespace Dcdm.Simulation;

/// <summary>
/// Cut-cell solids for a MAC grid (Batty, Bertails and Bridson 2007): each velocity face's open fraction, 1 in the
/// fluid, 0 inside a solid or on the grid's walls, in between where a smooth surface crosses it. The variational pressure
/// projection weighs each face by it: A = D^T F D (<see cref="Operator"/>, a <see cref="VoxelOperator"/> with the
/// fractions as face coefficients), b = -D^T F u, then u -= grad p on every open face, which leaves D^T F u = 0: no
/// flux through the solid part of any face. The top layer of cells is air (p = 0 there).
/// </summary>
public sealed class FaceFractions
{
    /// <summary>Open fractions on the x-, y- and z-faces, laid out as <see cref="MacVelocity"/>'s components.</summary>
    public GridField[] Components { get; }
    /// <summary>The pressure operator: the fractions between the cells below the air layer, the fraction to the air as a Dirichlet term.</summary>
    public VoxelOperator Operator { get; }
    /// <summary>The cells that are unknowns (an open face), for pictures: the rest as solid, the top layer as air.</summary>
    public PoissonGrid Domain { get; }

    /// <param name="solidDistance">Signed distance to the solid in cells (negative inside), at a point in cell units.</param>
    public FaceFractions(int n, Func<double, double, double, double> solidDistance)
    {
        Components = [new GridField(n + 1, n, n, 0, 0.5, 0.5), new GridField(n, n + 1, n, 0.5, 0, 0.5), new GridField(n, n, n + 1, 0.5, 0.5, 0)];
        for (int axis = 0; axis < 3; axis++)
        {
            var f = Components[axis];
            for (int k = 0; k < f.Nz; k++)
                for (int j = 0; j < f.Ny; j++)
                    for (int i = 0; i < f.Nx; i++)
                    {
                        int at = axis == 0 ? i : axis == 1 ? j : k;
                        bool wall = at == 0 || at == n; // the grid's sides and floor; the top face of the air layer too
                        f.Values[f.Index(i, j, k)] = wall ? 0 : Open(solidDistance, axis, i, j, k);
                    }
        }
        int cells = n * n * n, plane = n * n;
        double[] fx = new double[cells], fy = new double[cells], fz = new double[cells], dirichlet = new double[cells];
        var kind = new CellType[cells];
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    int c = i + n * (j + n * k);
                    if (k == n - 1) { kind[c] = CellType.Air; continue; }
                    if (i + 1 < n) fx[c] = Components[0][i + 1, j, k];
                    if (j + 1 < n) fy[c] = Components[1][i, j + 1, k];
                    if (k + 1 < n - 1) fz[c] = Components[2][i, j, k + 1];
                    else dirichlet[c] = Components[2][i, j, k + 1]; // the face to the air layer
                }
        Operator = new VoxelOperator(n, n, n, fx, fy, fz, dirichlet);
        for (int c = 0; c < cells - plane; c++) kind[c] = Operator.Diagonal(c) > 0 ? CellType.Fluid : CellType.Solid;
        Domain = new PoissonGrid(n, n, n, kind);
    }

    /// <summary>A face's open fraction, sampled at 4 x 4 points over it.</summary>
    static double Open(Func<double, double, double, double> distance, int axis, int i, int j, int k)
    {
        int open = 0;
        for (int a = 0; a < 4; a++)
            for (int b = 0; b < 4; b++)
            {
                double u = (a + 0.5) / 4, v = (b + 0.5) / 4;
                var (x, y, z) = axis switch { 0 => (i, j + u, k + v), 1 => (i + u, j, k + v), _ => (i + u, j + v, (double)k) };
                if (distance(x, y, z) > 0) open++;
            }
        return open / 16.0;
    }

    /// <summary>b = -D^T F u on the unknowns (the net open flux out of each cell, negated), 0 elsewhere; returns its L2 norm.</summary>
    public double NegativeDivergence(MacVelocity velocity, Span<double> b)
    {
        var (fu, fv, fw) = (Components[0], Components[1], Components[2]);
        var (u, v, w) = (velocity.U, velocity.V, velocity.W);
        int n = Operator.Nx;
        double sum = 0;
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    int c = i + n * (j + n * k);
                    if (Domain.Cells[c] != CellType.Fluid) { b[c] = 0; continue; }
                    double div = fu[i + 1, j, k] * u[i + 1, j, k] - fu[i, j, k] * u[i, j, k] + fv[i, j + 1, k] * v[i, j + 1, k] - fv[i, j, k] * v[i, j, k]
                        + fw[i, j, k + 1] * w[i, j, k + 1] - fw[i, j, k] * w[i, j, k];
                    b[c] = -div;
                    sum += div * div;
                }
        return Math.Sqrt(sum);
    }

    /// <summary>u -= grad p on every open face (p = 0 in the air layer and off the unknowns); closed faces get the solid's velocity, 0.</summary>
    public void SubtractPressureGradient(MacVelocity velocity, ReadOnlySpan<double> p)
    {
        int n = Operator.Nx;
        for (int axis = 0; axis < 3; axis++)
        {
            var f = velocity.Components[axis];
            var open = Components[axis];
            int step = axis == 0 ? 1 : axis == 1 ? n : n * n;
            for (int k = 0; k < f.Nz; k++)
                for (int j = 0; j < f.Ny; j++)
                    for (int i = 0; i < f.Nx; i++)
                    {
                        int face = f.Index(i, j, k);
                        if (open.Values[face] == 0) { f.Values[face] = 0; continue; }
                        int above = i + n * (j + n * k), below = above - step; // open faces are inside the grid
                        f.Values[face] -= Pressure(p, above) - Pressure(p, below);
                    }
        }
    }

    double Pressure(ReadOnlySpan<double> p, int cell) => Domain.Cells[cell] == CellType.Fluid ? p[cell] : 0;
}
