using System.Numerics;
using Dcdm.Sparse;

namespace Dcdm.Multigrid;

/// <summary>
/// The passes that move a vector between the Krylov loop (double, on the unknowns or the full grid) and a fine level
/// (T, one entry per cell): the largest magnitude, and the scaled copies in and out. On long vectors they run in
/// parallel chunks: serial, they were 5% of a half-solid 128^3 grid's solve samples (slits), on one core.
/// </summary>
internal static class FineLevelCopies
{
    /// <summary>max |r_i|; NaN where r holds a NaN (Math.Max passes it on).</summary>
    public static unsafe double LargestMagnitude(ReadOnlySpan<double> r)
    {
        fixed (double* p = r)
        {
            nint at = (nint)p;
            if (r.Length < VectorOps.ParallelThreshold) return Largest((double*)at, 0, r.Length);
            double largest = 0;
            foreach (double v in VectorOps.ParallelParts(r.Length, (from, to) => Largest((double*)at, from, to))) largest = Math.Max(largest, v);
            return largest;
        }
    }

    /// <summary>A vector at a time: Vector.Max passes a NaN on as Math.Max does (IEEE 754:2019 maximum; the test checks it).</summary>
    static unsafe double Largest(double* r, int from, int to)
    {
        double largest = 0;
        int i = from, width = Vector<double>.Count;
        if (Vector.IsHardwareAccelerated && to - from >= width)
        {
            var max = Vector<double>.Zero;
            for (; i <= to - width; i += width) max = Vector.Max(max, Vector.Abs(Vector.Load(r + i)));
            for (int k = 0; k < width; k++) largest = Math.Max(largest, max[k]);
        }
        for (; i < to; i++) largest = Math.Max(largest, Math.Abs(r[i]));
        return largest;
    }

    /// <summary>into[cells[k]] = T(factor r_k), or into[k] where cells is null (the full grid); into's other entries untouched.</summary>
    public static unsafe void Scatter<T>(ReadOnlySpan<double> r, int[]? cells, T[] into, double factor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (double* p = r)
        {
            nint at = (nint)p;
            VectorOps.ParallelChunks(r.Length, (from, to) =>
            {
                var source = (double*)at;
                if (cells is null) for (int k = from; k < to; k++) into[k] = T.CreateTruncating(source[k] * factor);
                else for (int k = from; k < to; k++) into[cells[k]] = T.CreateTruncating(source[k] * factor);
            });
        }
    }

    /// <summary>z_k = factor x[cells[k]], or factor x[k] where cells is null, for every entry of z.</summary>
    public static unsafe void Gather<T>(T[] x, int[]? cells, Span<double> z, double factor) where T : unmanaged, IFloatingPointIeee754<T>
    {
        fixed (double* p = z)
        {
            nint at = (nint)p;
            VectorOps.ParallelChunks(z.Length, (from, to) =>
            {
                var target = (double*)at;
                if (cells is null) for (int k = from; k < to; k++) target[k] = factor * double.CreateTruncating(x[k]);
                else for (int k = from; k < to; k++) target[k] = factor * double.CreateTruncating(x[cells[k]]);
            });
        }
    }
}
