using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.Intrinsics;

namespace Dcdm.Multigrid;

/// <summary>
/// Which of the vectors of cells the box's kernels relax (<see cref="Vector{T}"/> of float, inside the grid) hold an
/// unknown, a bit per vector, row by row: the kernels visit the set bits instead of testing every vector. Where fluid
/// and solid alternate every few vectors (rock carved at 15% fluid: 45% of the vectors hold an unknown, in runs of one
/// to four) the test went either way at random, and a sweep of that box took 2.7 ms where a tank's, with more unknowns,
/// took 1.2 (docs/benchmarks.md).
/// </summary>
/// <remarks>
/// A row's vectors start at x = <see cref="First"/> (1 where the box starts at the grid's edge, whose cell the kernels
/// relax alone) and step by the vector's width below <see cref="Stop"/>, the last one moved back to end there: bit k of
/// the row's word k / 64 is the vector at First + k width. Every row of the box has its bits, those on the grid's faces
/// too (the kernels read a neighbour past a face as zero).
/// </remarks>
internal sealed class OccupiedVectors
{
    readonly CellBox _box;

    /// <summary>The first vector's x in every row.</summary>
    public int First { get; }
    /// <summary>The end of the vectors' cells in every row.</summary>
    public int Stop { get; }
    /// <summary>Words per row (64 vectors each).</summary>
    public int Words { get; }
    /// <summary>Row r's bits in words r Words onwards (<see cref="Row"/>).</summary>
    public ulong[] Bits { get; }

    OccupiedVectors(CellBox box, int first, int stop, int words, ulong[] bits) => (_box, First, Stop, Words, Bits) = (box, first, stop, words, bits);

    /// <summary>The index of row (y, z) of the box: its bits start at word Row Words.</summary>
    public int Row(int y, int z) => (z - _box.Z0) * (_box.Y1 - _box.Y0 + 1) + (y - _box.Y0);

    /// <summary>The vectors holding an unknown (a diagonal byte not 0) in the box of an nx x ny x nz grid; null when the
    /// box is empty or its rows inside the grid are shorter than a vector (the kernels then take no vector).</summary>
    public static OccupiedVectors? Of(byte[] diagonal, CellBox box, int nx, int ny, int nz)
    {
        int width = Vector<float>.Count;
        if (box.IsEmpty) return null;
        int first = box.X0 == 0 ? 1 : box.X0, stop = Math.Min(box.X1 + 1, nx - 1);
        if (stop - first < width) return null;
        int vectors = (stop - first + width - 1) / width, words = (vectors + 63) / 64, height = box.Y1 - box.Y0 + 1;
        var bits = new ulong[(long)height * (box.Z1 - box.Z0 + 1) * words];
        void Plane(int z)
        {
            for (int y = box.Y0; y <= box.Y1; y++)
            {
                int row = (z * ny + y) * nx, at = ((z - box.Z0) * height + (y - box.Y0)) * words;
                int k = 0;
                // eight-cell vectors four at a time where none is moved back: a compare of 32 bytes, a byte of its mask each
                if (width == 8 && Vector256.IsHardwareAccelerated)
                    for (; first + 8 * (k + 4) <= stop; k += 4)
                    {
                        uint mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref diagonal[row + first + 8 * k]), Vector256<byte>.Zero).ExtractMostSignificantBits();
                        for (int j = 0; j < 4; j++)
                            if ((mask >> 8 * j & 0xFF) != 0) bits[at + (k + j) / 64] |= 1UL << ((k + j) & 63);
                    }
                for (; k < vectors; k++)
                {
                    int x = Math.Min(first + k * width, stop - width); // the last vector overlaps the one before, as the kernels take it
                    if (Occupied(diagonal, row + x, width)) bits[at + k / 64] |= 1UL << (k & 63);
                }
            }
        }
        if (box.Cells < VCycleKernels.ParallelCells) for (int z = box.Z0; z <= box.Z1; z++) Plane(z); // a small level: no fork and join
        else Parallel.For(box.Z0, box.Z1 + 1, Plane);
        return new OccupiedVectors(box, first, stop, words, bits);
    }

    /// <summary>Whether any of the <paramref name="width"/> bytes from <paramref name="at"/> is not 0 (eight at a time where the width allows).</summary>
    static bool Occupied(byte[] diagonal, int at, int width)
    {
        if (width % 8 != 0) return diagonal.AsSpan(at, width).IndexOfAnyExcept((byte)0) >= 0;
        ulong any = 0;
        for (int k = 0; k < width; k += 8) any |= BinaryPrimitives.ReadUInt64LittleEndian(diagonal.AsSpan(at + k, 8));
        return any != 0;
    }
}
