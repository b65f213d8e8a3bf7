using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// Flat cells: a voxel operator whose faces along one axis are on average much stronger than across it (a grid
/// stretched along the other two, cells h x h x h/k: faces k^2 stronger along the short side). A point sweep there
/// smooths the error along that axis only, and aggregates split into pairs along it, so each level halves the rows and
/// the K-cycle's work grows with the levels. With the axis found, the cycle relaxes whole lines along it
/// (<see cref="CellLines{T}"/>, <see cref="LevelLines"/>) and aggregates 2x2x2 blocks again, judging a
/// coupling's strength against the couplings across the lines (<see cref="AcrossCouplings(VoxelOperator, double[], int)"/>)
/// instead of the diagonal, so a density jump or a nearly closed face still splits a block.
/// </summary>
internal static class LineAxis
{
    /// <summary>The axis whose open faces' geometric mean is at least this many times each other axis's is the lines'.</summary>
    internal static double Contrast { get; set; } = 4;

    /// <summary>
    /// The strong axis (0, 1, 2: x, y, z) of an operator, or -1 where none is <see cref="Contrast"/> times the others. The
    /// faces are compared by the mean of their logarithms (a geometric mean), which a heavy-tailed field's few large
    /// faces (a log-normal permeability) do not sway, each logarithm read from the double's bits (within 0.09 of log2),
    /// over about 16 evenly spaced planes (every plane of a grid under 32 deep): a stretched grid is stretched throughout,
    /// and all planes of a 128^3 grid took 5-7 ms, a tenth of a ghost-fluid set-up.
    /// </summary>
    public static int Of(VoxelOperator op)
    {
        int plane = op.Nx * op.Ny, step = op.Nz < 32 ? 1 : op.Nz / 16, sampled = (op.Nz + step - 1) / step;
        var sums = new double[sampled * 3];
        var counts = new long[sampled * 3];
        double[][] faces = [op.FaceX, op.FaceY, op.FaceZ];
        Parallel.For(0, sampled, k =>
        {
            int z = k * step;
            for (int a = 0; a < 3; a++)
            {
                double sum = 0;
                long count = 0;
                foreach (double c in faces[a].AsSpan(z * plane, plane))
                    if (c > 0) { sum += Log2(c); count++; }
                (sums[3 * k + a], counts[3 * k + a]) = (sum, count);
            }
        });
        var mean = new double[3];
        var open = new bool[3];
        for (int a = 0; a < 3; a++)
        {
            double sum = 0;
            long count = 0;
            for (int k = 0; k < sampled; k++) { sum += sums[3 * k + a]; count += counts[3 * k + a]; }
            (mean[a], open[a]) = (count > 0 ? sum / count : 0, count > 0);
        }
        double least = Math.Log2(Contrast);
        for (int a = 0; a < 3; a++)
        {
            int b = (a + 1) % 3, c = (a + 2) % 3;
            if (open[a] && (open[b] || open[c]) && (!open[b] || mean[a] - mean[b] >= least) && (!open[c] || mean[a] - mean[c] >= least)) return a;
        }
        return -1;
    }

    /// <summary>log2 of a positive normal double from its bits: the exponent plus the mantissa's fraction (at most 0.09 low).</summary>
    static double Log2(double c)
    {
        long bits = BitConverter.DoubleToInt64Bits(c);
        return ((bits >> 52) & 0x7FF) - 1023 + (bits & 0xF_FFFF_FFFF_FFFF) / (double)(1L << 52);
    }

    /// <summary>
    /// Each cell's couplings across the lines (its four faces along the other two axes): what a coupling's strength is
    /// judged against with line relaxation, in place of the diagonal, which the strong faces along the lines and a
    /// Dirichlet term (an open top's face along them) would make dwarf every coupling across.
    /// </summary>
    public static double[] AcrossCouplings(VoxelOperator op, double[] diagonal, int axis)
    {
        int nx = op.Nx, ny = op.Ny, plane = nx * ny;
        var (p, q) = axis switch { 0 => (op.FaceY, op.FaceZ), 1 => (op.FaceX, op.FaceZ), _ => (op.FaceX, op.FaceY) };
        var (sp, sq) = axis switch { 0 => (nx, plane), 1 => (1, plane), _ => (1, nx) };
        var across = new double[diagonal.Length];
        Parallel.For(0, op.Nz, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int x = 0, i = plane * z + nx * y; x < nx; x++, i++)
                {
                    if (!(diagonal[i] > 0)) continue;
                    var (cp, cq) = axis switch { 0 => (y, z), 1 => (x, z), _ => (x, y) };
                    across[i] = p[i] + q[i] + (cp > 0 ? p[i - sp] : 0) + (cq > 0 ? q[i - sq] : 0);
                }
        });
        return across;
    }

    /// <summary>Each row's couplings other than those to the rows of the blocks before and after it along the axis.</summary>
    public static double[] AcrossCouplings(AggregateLevel level, int axis)
    {
        var (bx, by, _) = level.Blocks;
        int stride = axis switch { 0 => 1, 1 => bx, _ => bx * by };
        var rowBlock = new int[level.Rows];
        for (int b = 0; b < level.BlockRows.Length; b++)
            for (int r = 0; r < level.BlockRows[b]; r++) rowBlock[level.BlockFirstRow[b] + r] = b;
        var across = new double[level.Rows];
        Parallel.For(0, level.Rows, i =>
        {
            double sum = 0;
            int b = rowBlock[i];
            for (int e = level.RowStart[i]; e < level.RowStart[i + 1]; e++)
            {
                int other = rowBlock[level.Columns[e]];
                if (other != b + stride && other != b - stride) sum += Math.Abs(level.Values[e]);
            }
            across[i] = sum;
        });
        return across;
    }
}
