using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// Makes a voxel operator's cells the fine level of the CPU's K-cycle (<see cref="CellLevel{T}"/>) in the precision
/// that serves it: float32 as the unit grid's fine level, since a float sweep streams half the bytes of a double one
/// (at 128^3 the solve 21-30% shorter on the three families, the same iterations), unless the faces' coefficients span
/// more than <see cref="SingleContrast"/>, where float's sums lose the small ones: measured on two-phase at 128^3
/// (pcg-mg / DCDM iterations, float against double), density ratio 10^3: 8 / 8 against 8 / 8; 10^6: 9 / 9 against 8 / 8
/// and still faster; 10^8: 12 / 12 against 8 / 8 and slower. Diagonals outside 2^-64..2^64 (<see cref="SingleRange"/>:
/// an operator scaled by 1e-150, or a penalty term of 1e40 on one cell) take double too, since float would hold them, or
/// their inverses, as 0 or infinity.
/// </summary>
internal static class CellLevel
{
    /// <summary>The largest ratio of the largest face coefficient to the smallest open one that float32 sweeps take.</summary>
    public const double SingleContrast = 1e6;

    /// <summary>Float32 sweeps take diagonals between 1 / this and this (float's own range is 1.2e-38 to 3.4e38; the
    /// margin keeps the inverse diagonals, the cells' values and their products inside it; a face is at most its cells'
    /// diagonals, and one far below them matters little).</summary>
    public const double SingleRange = 18446744073709551616.0; // 2^64

    /// <summary>The cells' level, float32 where the faces' contrast and the diagonals' range allow it, else double (the
    /// float copies, which find both, then dropped: only such operators pay for both).</summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="DiagonalOf"/>).</param>
    public static ICellLevel For(VoxelOperator op, double[] diagonal)
    {
        var single = new CellLevel<float>(op, diagonal);
        return SingleBears(single.Faces, single.Diagonals) ? single : new CellLevel<double>(op, diagonal);
    }

    /// <summary>Whether float32 sweeps bear these faces (open ones) and diagonals (the unknowns'): the faces' contrast
    /// at most <see cref="SingleContrast"/>, the diagonals within <see cref="SingleRange"/>.</summary>
    internal static bool SingleBears(PositiveRange faces, PositiveRange diagonals) => faces.Contrast <= SingleContrast && InSingleRange(diagonals);

    /// <summary>Whether the values lie within <see cref="SingleRange"/> (or none is positive).</summary>
    internal static bool InSingleRange(PositiveRange values) => values.Largest == 0 || (values.Smallest >= 1 / SingleRange && values.Largest <= SingleRange);

    /// <summary>The smallest positive value and the largest of the planes' smallest and largest (0 and 0 when none was positive).</summary>
    internal static PositiveRange Span(double[] smallest, double[] largest)
    {
        double max = largest.Max();
        return max > 0 ? new(smallest.Min(), max) : new(0, 0);
    }

    /// <summary>The positive values' range, in parallel chunks: the diagonals' on the unknowns.</summary>
    public static PositiveRange Positive(double[] values)
    {
        int chunks = Math.Max(1, Math.Min(64, values.Length / 4096));
        var (smallest, largest) = (new double[chunks], new double[chunks]);
        Parallel.For(0, chunks, c =>
        {
            int from = (int)((long)values.Length * c / chunks), to = (int)((long)values.Length * (c + 1) / chunks);
            double lo = double.MaxValue, hi = 0;
            foreach (double v in values.AsSpan(from, to - from))
                if (v > 0) (lo, hi) = (Math.Min(lo, v), Math.Max(hi, v));
            (smallest[c], largest[c]) = (lo, hi);
        });
        return Span(smallest, largest);
    }

    /// <summary>The operator's smallest open face and its largest, in parallel planes.</summary>
    public static PositiveRange Faces(VoxelOperator op)
    {
        int plane = op.Nx * op.Ny;
        var (smallest, largest) = (new double[op.Nz], new double[op.Nz]);
        Parallel.For(0, op.Nz, z =>
        {
            double lo = double.MaxValue, hi = 0;
            foreach (var faces in new[] { op.FaceX, op.FaceY, op.FaceZ })
                foreach (double c in faces.AsSpan(z * plane, plane))
                    if (c > 0) (lo, hi) = (Math.Min(lo, c), Math.Max(hi, c));
            (smallest[z], largest[z]) = (lo, hi);
        });
        return Span(smallest, largest);
    }

    /// <summary>The operator's diagonal of every cell, in parallel planes (an array the set-up owns).</summary>
    public static double[] DiagonalOf(VoxelOperator op)
    {
        int nx = op.Nx, ny = op.Ny;
        var diagonal = RebindCache.Array<double>(op.CellCount, zeroed: false); // every entry written below
        Parallel.For(0, op.Nz, z =>
        {
            for (int y = 0; y < ny; y++) op.RowDiagonals(y, z, diagonal.AsSpan(nx * (y + ny * z), nx));
        });
        return diagonal;
    }
}
