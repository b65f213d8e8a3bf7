using System.Numerics;
using System.Runtime.Intrinsics;

namespace Dcdm.Multigrid;

/// <summary>
/// A level's unknowns where they are a small share of its box (passages through rock, pipes, a film): each colour's cells
/// ((x + y + z) % 2), those with six neighbours inside the grid apart from those on its faces, which the sweeps and the
/// residual walk instead of the box (<see cref="VCycleKernels"/>). The box's vectors skip eight cells with no unknown, but
/// where unknowns and empty cells alternate at random the skip is mispredicted as often as not: a sweep of the tunnels
/// family at 128^3 (6% of the cells unknowns, 20% of the vectors holding one) took as long as a tank's (60%).
/// </summary>
internal sealed class SparseUnknowns
{
    /// <summary>
    /// A box whose unknowns are fewer than this share of its cells is walked by the lists. Measured at 64^3 and 128^3
    /// (docs/benchmarks.md): at 3-10% a sweep by the lists took 0.18x-0.7x the box's (tunnels, voxel noise at 90% solid),
    /// the residual 0.37x-1.06x; at 15-25% voxel noise's scattered unknowns took 0.8x-1.6x by the lists, its residual
    /// 1.1x-3.5x. Settable for tests (0: never the lists; above 1: always).
    /// </summary>
    internal static double Share { get; set; } = 0.1;

    /// <summary>Per colour, the unknowns with six neighbours inside the grid, ascending.</summary>
    public int[][] Inner { get; }
    /// <summary>Per colour, the unknowns on the grid's faces, ascending.</summary>
    public int[][] Edge { get; }
    /// <summary>Every unknown, ascending: the transfers of a voxel operator's cells walk these in the box's order.</summary>
    public int[] Ascending { get; }
    /// <summary>Per plane z, where its unknowns start in <see cref="Ascending"/> (nz + 1 entries, the last its length).</summary>
    public int[] PlaneStarts { get; }

    SparseUnknowns(int[][] inner, int[][] edge, int[] ascending, int[] planeStarts) =>
        (Inner, Edge, Ascending, PlaneStarts) = (inner, edge, ascending, planeStarts);

    /// <summary>The lists of the unknowns (a positive diagonal byte) in the box around them, where they are fewer than
    /// <see cref="Share"/> of its cells (null otherwise: the box's vectors serve them better; the count stops there), or
    /// where <paramref name="always"/>.</summary>
    public static SparseUnknowns? Of(byte[] diagonal, int nx, int ny, int nz, bool always = false) =>
        Of(diagonal, CellBox.Around(diagonal, nx, ny, nz), nx, ny, nz, always);

    /// <summary><see cref="Of(byte[], int, int, int, bool)"/> for a diagonal of any type (a voxel operator's doubles) and
    /// the box around its unknowns, which the caller has. An unknown is a cell whose diagonal is positive, as the kernels
    /// take it (a cell whose diagonal is NaN, negative or -0 is none).</summary>
    public static SparseUnknowns? Of<T>(T[] diagonal, CellBox box, int nx, int ny, int nz, bool always = false) where T : unmanaged, INumber<T>
    {
        if (box.IsEmpty) return null;
        int width = box.X1 - box.X0 + 1;
        long unknowns = 0, most = always ? long.MaxValue : (long)(Share * box.Cells);
        for (int z = box.Z0; z <= box.Z1 && unknowns < most; z++)
            for (int y = box.Y0; y <= box.Y1; y++) unknowns += Positive(diagonal.AsSpan((z * ny + y) * nx + box.X0, width), null, 0, 0);
        if (unknowns >= most) return null;
        var ascending = new int[unknowns];
        var kind = new byte[unknowns]; // each one's list: inner even, inner odd, on the faces even, odd
        var planeStarts = new int[nz + 1];
        var sizes = new int[4];
        int count = 0;
        for (int z = 0; z < nz; z++)
        {
            planeStarts[z] = count;
            if (z < box.Z0 || z > box.Z1) continue;
            for (int y = box.Y0; y <= box.Y1; y++)
            {
                int row = (z * ny + y) * nx, from = count;
                bool innerRow = y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                count += Positive(diagonal.AsSpan(row + box.X0, width), ascending, count, row + box.X0);
                for (int k = from; k < count; k++)
                {
                    int x = ascending[k] - row;
                    sizes[kind[k] = (byte)((innerRow && x > 0 && x < nx - 1 ? 0 : 2) + ((x + y + z) & 1))]++;
                }
            }
        }
        planeStarts[nz] = count;
        int[][] lists = [new int[sizes[0]], new int[sizes[1]], new int[sizes[2]], new int[sizes[3]]];
        Array.Clear(sizes);
        for (int k = 0; k < count; k++) lists[kind[k]][sizes[kind[k]]++] = ascending[k];
        return new SparseUnknowns([lists[0], lists[1]], [lists[2], lists[3]], ascending, planeStarts);
    }

    /// <summary>
    /// How many of <paramref name="row"/>'s entries are positive; with <paramref name="into"/>, also each one's index
    /// (<paramref name="first"/> plus its offset), ascending, from <paramref name="at"/> on. A vector of entries at a time,
    /// its positive lanes as bits (unknowns and empty cells alternate at random in a passage: no branch per cell).
    /// </summary>
    static int Positive<T>(ReadOnlySpan<T> row, int[]? into, int at, int first) where T : unmanaged, INumber<T>
    {
        int k = 0, found = 0;
        if (Vector256.IsHardwareAccelerated && Vector256<T>.IsSupported)
            for (int width = Vector256<T>.Count; k + width <= row.Length; k += width)
            {
                uint bits = Vector256.GreaterThan(Vector256.Create(row.Slice(k, width)), Vector256<T>.Zero).ExtractMostSignificantBits();
                if (into is null) { found += BitOperations.PopCount(bits); continue; }
                for (; bits != 0; bits &= bits - 1) into[at + found++] = first + k + BitOperations.TrailingZeroCount(bits);
            }
        for (; k < row.Length; k++)
            if (row[k] > T.Zero)
            {
                if (into is not null) into[at + found] = first + k;
                found++;
            }
        return found;
    }

    /// <summary>body(from, to) over 0..count in chunks, in parallel where count is long.</summary>
    internal static void ForChunks(int count, Action<int, int> body)
    {
        const int chunk = 1 << 13;
        if (count < VCycleKernels.ParallelCells / 4) { body(0, count); return; }
        Parallel.For(0, (count + chunk - 1) / chunk, c => body(c * chunk, Math.Min(count, (c + 1) * chunk)));
    }

    /// <summary>v = 0 on the unknowns (a level's vectors are 0 off them: no kernel writes there).</summary>
    public void Clear<T>(T[] v) where T : unmanaged
    {
        foreach (int i in Ascending) v[i] = default;
    }
}
