using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's unit operator as the host loops' product, not assembled: vectors on the full grid (0 off the unknowns),
/// (A x)_i = d_i x_i - the sum of the six neighbours' x, d_i the cell's diagonal byte (0 off the unknowns, whose x is 0,
/// so no flag is tested). A product streams 17 bytes a cell (d, x, y) where the compact CSR operator streams about 100
/// an unknown, and the set-up assembles nothing. Planes in parallel.
/// </summary>
internal sealed class GridStencil(PoissonGrid grid) : IHostOperator
{
    /// <summary>
    /// Whether the full grid pays for a grid's solve: its vectors hold every cell, so the matrix-free product's savings
    /// are lost to longer vector updates when few cells are unknowns. Measured at 128^3 (docs/benchmarks.md): 88% fluid
    /// (baffles) solves 22% faster, 60% (tank) the same, 25% (the dam break) 2.3x slower.
    /// </summary>
    public static bool Pays(PoissonGrid grid) => grid.FluidCount >= PaysShare * grid.CellCount;

    /// <summary>The share of a grid's cells that must be unknowns for the full grid to pay (<see cref="Pays"/>, <see cref="FaceStencil.Pays"/>).</summary>
    internal const double PaysShare = 0.6;

    readonly byte[] _diagonal = grid.Diagonal;
    readonly int _nx = grid.Nx, _ny = grid.Ny, _nz = grid.Nz;
    readonly double[] _planeSums = new double[grid.Nz];

    /// <summary>y = A x, or with b: y = b - A x; returns the sum over the cells of x_i y_i, or with b of y_i^2.</summary>
    double Product(double[] x, double[] y, double[]? b)
    {
        int nx = _nx, ny = _ny, nz = _nz, plane = nx * ny;
        var d = _diagonal;
        var sums = _planeSums;
        void Plane(int z)
        {
            double sum = 0;
            for (int yy = 0, i = z * plane; yy < ny; yy++)
                for (int xx = 0; xx < nx; xx++, i++)
                {
                    int di = d[i];
                    if (di == 0) { y[i] = 0; continue; }
                    double s = di * x[i];
                    if (xx > 0) s -= x[i - 1];
                    if (xx < nx - 1) s -= x[i + 1];
                    if (yy > 0) s -= x[i - nx];
                    if (yy < ny - 1) s -= x[i + nx];
                    if (z > 0) s -= x[i - plane];
                    if (z < nz - 1) s -= x[i + plane];
                    if (b is null) { y[i] = s; sum += x[i] * s; }
                    else { double r = b[i] - s; y[i] = r; sum += r * r; }
                }
            sums[z] = sum;
        }
        return SumOverPlanes(sums, x.Length, Plane);
    }

    /// <summary>Runs <paramref name="plane"/> on planes 0..sums.Length-1 (in parallel when the grid has many cells), each
    /// writing its own sum into sums[z]; returns their total, added in plane order (the same at any thread count).</summary>
    internal static double SumOverPlanes(double[] sums, int cells, Action<int> plane)
    {
        if (cells < VCycleKernels.ParallelCells) for (int z = 0; z < sums.Length; z++) plane(z);
        else Parallel.For(0, sums.Length, plane);
        double total = 0;
        foreach (double s in sums) total += s;
        return total;
    }

    public double Residual(double[] b, double[] x, double[] r) => Math.Sqrt(Product(x, r, b));

    public double MultiplyAndDot(double[] p, double[] q) => Product(p, q, null);
}
