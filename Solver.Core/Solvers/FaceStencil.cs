using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// A voxel operator as the host loops' product, not assembled: vectors on the full grid (0 off the unknowns),
/// (A x)_i = d_i x_i - the sum over the cell's faces of c_f x_j, d_i its diagonal (0 off the unknowns, whose x is 0,
/// and a closed face's c is 0, so only the grid's edges are tested). A product streams 48 bytes a cell (three faces,
/// d, x, y) where the operator's CSR streams about 100 a row, and the set-up assembles nothing. Planes in parallel.
/// </summary>
internal sealed class FaceStencil : IHostOperator
{
    /// <summary>
    /// Whether the full grid pays for an operator's solve: at least 60% of its cells unknowns. Its vectors hold every
    /// cell, so the matrix-free product's savings are lost to longer vector updates when few cells are unknowns. (A
    /// grid's unit operator runs on its unknowns at any share: its product there, <see cref="CompactStencil"/>, reads
    /// less than the full grid's, docs/benchmarks.md.)
    /// </summary>
    public static bool Pays(ReducedSystem unknowns) => unknowns.Unknowns >= PaysShare * unknowns.FullSize;

    /// <summary>The share of an operator's cells that must be unknowns for the full grid to pay (<see cref="Pays"/>).</summary>
    internal const double PaysShare = 0.6;

    readonly VoxelOperator _op;
    readonly double[] _diagonal;
    readonly double[] _planeSums;

    /// <param name="diagonal">The operator's diagonal per cell (<see cref="CellLevel.DiagonalOf"/>).</param>
    public FaceStencil(VoxelOperator op, double[] diagonal)
    {
        if (diagonal.Length != op.CellCount)
            throw new ArgumentException($"the diagonal has {diagonal.Length} entries; the operator has {op.CellCount} cells", nameof(diagonal));
        (_op, _diagonal, _planeSums) = (op, diagonal, new double[op.Nz]);
    }

    /// <summary>y = A x, or with b: y = b - A x; returns the sum over the cells of x_i y_i, or with b of y_i^2.</summary>
    double Product(double[] x, double[] y, double[]? b)
    {
        int nx = _op.Nx, ny = _op.Ny, nz = _op.Nz, plane = nx * ny;
        var (fx, fy, fz, d, sums) = (_op.FaceX, _op.FaceY, _op.FaceZ, _diagonal, _planeSums);
        void Plane(int z)
        {
            double sum = 0;
            bool below = z > 0, above = z < nz - 1;
            for (int yy = 0, i = z * plane; yy < ny; yy++)
            {
                bool south = yy > 0, north = yy < ny - 1;
                for (int xx = 0; xx < nx; xx++, i++)
                {
                    double di = d[i];
                    if (!(di > 0)) { y[i] = 0; continue; }
                    double s = di * x[i];
                    if (xx > 0) s -= fx[i - 1] * x[i - 1];
                    if (xx < nx - 1) s -= fx[i] * x[i + 1];
                    if (south) s -= fy[i - nx] * x[i - nx];
                    if (north) s -= fy[i] * x[i + nx];
                    if (below) s -= fz[i - plane] * x[i - plane];
                    if (above) s -= fz[i] * x[i + plane];
                    if (b is null) { y[i] = s; sum += x[i] * s; }
                    else { double r = b[i] - s; y[i] = r; sum += r * r; }
                }
            }
            sums[z] = sum;
        }
        return SumOverPlanes(sums, x.Length, Plane);
    }

    public double Residual(double[] b, double[] x, double[] r) => Math.Sqrt(Product(x, r, b));

    public double MultiplyAndDot(double[] p, double[] q) => Product(p, q, null);

    /// <summary>Runs <paramref name="plane"/> on planes 0..sums.Length-1 (in parallel when the grid has many cells), each
    /// writing its own sum into sums[z]; returns their total, added in plane order (the same at any thread count).</summary>
    static double SumOverPlanes(double[] sums, int cells, Action<int> plane)
    {
        if (cells < VCycleKernels.ParallelCells) for (int z = 0; z < sums.Length; z++) plane(z);
        else Parallel.For(0, sums.Length, plane);
        double total = 0;
        foreach (double s in sums) total += s;
        return total;
    }
}
