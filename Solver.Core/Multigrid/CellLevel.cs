using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Multigrid;

/// <summary>
/// Makes a voxel operator's cells the fine level of the CPU's K-cycle (<see cref="CellLevel{T}"/>) in the precision
/// that serves it: float32 as the unit grid's fine level, since a float sweep streams half the bytes of a double one
/// (at 128^3 the solve 21-30% shorter on the three families, the same iterations), unless the faces' coefficients span
/// more than <see cref="SingleContrast"/>, where float's sums lose the small ones: measured on two-phase at 128^3
/// (pcg-mg / DCDM iterations, float against double), density ratio 10^3: 8 / 8 against 8 / 8; 10^6: 9 / 9 against 8 / 8
/// and still faster; 10^8: 12 / 12 against 8 / 8 and slower. Faces outside 2^-64..2^64 (<see cref="SingleRange"/>: an
/// operator scaled by 1e-150, say) take double too, since float would hold them as 0 or infinity.
/// </summary>
internal static class CellLevel
{
    /// <summary>The largest ratio of the largest face coefficient to the smallest open one that float32 sweeps take.</summary>
    public const double SingleContrast = 1e6;

    /// <summary>Float32 sweeps take faces between 1 / this and this (float's own range is 1.2e-38 to 3.4e38; the margin
    /// keeps the inverse diagonals, the cells' values and their products inside it).</summary>
    public const double SingleRange = 18446744073709551616.0; // 2^64

    /// <summary>The cells' level, float32 where the faces' contrast and range allow it, else double (the float copies,
    /// which find both, then dropped: only such operators pay for both).</summary>
    /// <param name="diagonal">The operator's diagonal per cell (<see cref="DiagonalOf"/>).</param>
    public static ICellLevel For(VoxelOperator op, double[] diagonal)
    {
        var single = new CellLevel<float>(op, diagonal);
        return SingleBears(single.Faces) ? single : new CellLevel<double>(op, diagonal);
    }

    /// <summary>Whether float32 sweeps bear faces from smallest (open) to largest: a contrast of at most
    /// <see cref="SingleContrast"/>, within <see cref="SingleRange"/>.</summary>
    internal static bool SingleBears(FaceRange faces) => faces.Contrast <= SingleContrast && InSingleRange(faces);

    /// <summary>Whether the faces lie within <see cref="SingleRange"/> (or none is open).</summary>
    internal static bool InSingleRange(FaceRange faces) => faces.Largest == 0 || (faces.Smallest >= 1 / SingleRange && faces.Largest <= SingleRange);

    /// <summary>The smallest open face and the largest of the planes' smallest and largest (0 and 0 when nothing was open).</summary>
    internal static FaceRange Span(double[] smallest, double[] largest)
    {
        double max = largest.Max();
        return max > 0 ? new(smallest.Min(), max) : new(0, 0);
    }

    /// <summary>The faces' largest coefficient over their smallest open one (1 when none is open), as
    /// <see cref="CellLevel{T}.Faces"/> finds it while copying: what float32 products can bear up to
    /// <see cref="SingleContrast"/>.</summary>
    public static double FaceContrast(VoxelOperator op) => Faces(op).Contrast;

    /// <summary>The operator's smallest open face and its largest, in parallel planes.</summary>
    public static FaceRange Faces(VoxelOperator op)
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
