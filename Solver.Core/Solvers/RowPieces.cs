using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's compact operator's pattern (<see cref="CompactStencil"/>) cut into pieces of rows of one shape: consecutive
/// unknowns, each joined to the next (row k holds column k + 1 and row k + 1 column k), whose other columns lie at the
/// same offsets from the row (two below k - 1 and two above k + 1 at most: the neighbours across y and z). Along a row
/// of cells an unknown's neighbours across y and z keep their offsets while those neighbours are unknowns too, so a
/// piece is a stretch of a row of fluid cells, and its product is a vector of rows at a time, reading a piece's 21
/// bytes instead of a row's 4 and a column's 4 each. Every row's terms are summed in the pattern's order (ascending
/// columns; a missing neighbour subtracts nothing) and the dot in the rows' order, so the product is the CSR
/// product's bit for bit. Pieces never cross the row blocks the product runs in parallel.
/// </summary>
internal sealed class RowPieces
{
    readonly int[] _start;   // each piece's first row, then the number of rows
    readonly int[] _offsets; // 4 per piece: columns below k - 1, then above k + 1, as offsets from row k, ascending; 0: none
    readonly byte[] _ends;   // bit 0: the piece's first row holds column k - 1; bit 1: its last row holds column k + 1
    readonly int[] _blockPieces; // each row block's first piece, then the number of pieces

    RowPieces(int[] start, int[] offsets, byte[] ends, int[] blockPieces) => (_start, _offsets, _ends, _blockPieces) = (start, offsets, ends, blockPieces);

    /// <summary>The pieces of rows <paramref name="blocks"/>[b] up to <paramref name="blocks"/>[b + 1], the blocks in parallel.</summary>
    /// <exception cref="ArgumentException">A row holds more than two columns below k - 1 or above k + 1, or no column k:
    /// the pattern is not a voxel grid's 7-point operator's.</exception>
    public static RowPieces Of(int[] rowStart, int[] columns, int[] blocks)
    {
        int blockCount = blocks.Length - 1;
        var counts = new int[blockCount + 1];
        var firstBad = new int[blockCount]; // each block's first row that is no voxel row, or -1
        Parallel.For(0, blockCount, b =>
        {
            int pieces = 0;
            var last = default(Shape);
            firstBad[b] = -1;
            for (int k = blocks[b]; k < blocks[b + 1]; k++)
            {
                if (Shape.Of(rowStart, columns, k) is not { } shape) { firstBad[b] = k; return; }
                if (k == blocks[b] || !shape.Continues(last)) pieces++;
                last = shape;
            }
            counts[b + 1] = pieces;
        });
        if (firstBad.FirstOrDefault(k => k >= 0, -1) is var bad and >= 0)
            throw new ArgumentException($"row {bad} of the operator's pattern is not a voxel grid's 7-point row (at most two columns "
                + $"below {bad - 1}, the diagonal, at most two above {bad + 1}); solve it as a general sparse matrix");
        for (int b = 0; b < blockCount; b++) counts[b + 1] += counts[b];
        int total = counts[blockCount];
        var start = new int[total + 1];
        var offsets = new int[4 * total];
        var ends = new byte[total];
        Parallel.For(0, blockCount, b =>
        {
            int p = counts[b] - 1;
            var last = default(Shape);
            for (int k = blocks[b]; k < blocks[b + 1]; k++)
            {
                var shape = Shape.Of(rowStart, columns, k)!.Value; // every row checked above
                if (k == blocks[b] || !shape.Continues(last))
                {
                    if (p >= counts[b]) ends[p] |= (byte)(last.After ? 2 : 0);
                    p++;
                    start[p] = k;
                    (offsets[4 * p], offsets[4 * p + 1], offsets[4 * p + 2], offsets[4 * p + 3]) = (shape.Low0, shape.Low1, shape.High0, shape.High1);
                    ends[p] = (byte)(shape.Before ? 1 : 0);
                }
                last = shape;
            }
            if (p >= counts[b]) ends[p] |= (byte)(last.After ? 2 : 0);
        });
        start[total] = rowStart.Length - 1;
        return new RowPieces(start, offsets, ends, counts);
    }

    /// <summary>
    /// The pieces of a grid's compact operator on its unknowns (<see cref="PoissonGrid.UnknownCells"/>), made from the
    /// cells' diagonal bytes without the pattern: the pieces <see cref="Of(int[], int[], int[])"/> makes from the pattern
    /// the assembled matrix would have, in the row blocks of that matrix's product
    /// (<see cref="CsrMatrix.BalancedRowBlocks(int[], int)"/>). A piece lies in one row of cells: unknown k (cell i) goes
    /// on the piece of k - 1 when cell i - 1 is an unknown and the cells across y and z from both are unknowns alike
    /// (then their unknowns lie at the same offsets from k and k - 1). Each row of cells is read 32 cells at a time
    /// (<see cref="Cells"/>), twice: to count each row's unknowns, pieces and entries, then to write the pieces; a
    /// neighbour's unknown is its row's first plus the unknowns before it in that row.
    /// </summary>
    public static unsafe RowPieces Of(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, rows = ny * nz;
        var d = grid.Diagonal;
        var rowUnknowns = new int[rows];
        var rowPieces = new int[rows];
        var rowEntries = new long[rows + 1];
        fixed (byte* diagonal = d)
        {
            var at = (nint)diagonal;
            Parallel.For(0, nz, z =>
            {
                var cells = new Cells((byte*)at, nx, ny, nz);
                for (int r = ny * z; r < ny * (z + 1); r++)
                {
                    int unknowns = 0, pieces = 0, entries = 0;
                    for (int x = 0; x < nx; x += 32)
                    {
                        var c = cells.At(r, x);
                        unknowns += BitOperations.PopCount(c.Unknowns);
                        pieces += BitOperations.PopCount(c.Starts);
                        entries += c.Entries();
                    }
                    (rowUnknowns[r], rowPieces[r], rowEntries[r + 1]) = (unknowns, pieces, entries);
                }
            });
        }
        var rowFirst = new int[rows + 1]; // row r = y + ny z holds unknowns rowFirst[r] up to rowFirst[r + 1]
        for (int r = 0; r < rows; r++)
        {
            rowFirst[r + 1] = rowFirst[r] + rowUnknowns[r];
            rowEntries[r + 1] += rowEntries[r];
        }
        int n = rowFirst[rows];
        var unknownCells = grid.UnknownCells;
        int[] blocks;
        // a block's first row starts a piece: one more where it would go on the piece before
        fixed (byte* diagonal = d)
        {
            var cells = new Cells(diagonal, nx, ny, nz);
            blocks = rowEntries[rows] < CsrMatrix.ParallelNonZeros ? [0, n] : BalancedBlocks(cells, nx, rowFirst, rowEntries);
            for (int b = 1; b < blocks.Length - 1; b++)
            {
                int i = unknownCells[blocks[b]], r = i / nx, x = i - r * nx;
                if ((cells.At(r, x - x % 32).Starts >> x % 32 & 1) == 0) rowPieces[r]++;
            }
        }
        var rowPiece = new int[rows + 1];
        for (int r = 0; r < rows; r++) rowPiece[r + 1] = rowPiece[r] + rowPieces[r];
        int total = rowPiece[rows];
        var start = new int[total + 1];
        var offsets = new int[4 * total];
        var ends = new byte[total];
        var blockPieces = new int[blocks.Length];
        blockPieces[^1] = total;
        fixed (byte* diagonal = d)
        {
            var at = (nint)diagonal;
            Parallel.For(0, nz, z =>
            {
                var cells = new Cells((byte*)at, nx, ny, nz);
                int nextBlock = FirstBlockFrom(blocks, rowFirst[ny * z]);
                for (int r = ny * z; r < ny * (z + 1); r++)
                {
                    int p = rowPiece[r] - 1, k = rowFirst[r];
                    // the first unknown of the rows of cells across -z, -y, +y, +z not yet passed (none where off the grid)
                    int below0 = z > 0 ? rowFirst[r - ny] : 0, below1 = r > ny * z ? rowFirst[r - 1] : 0;
                    int above0 = r < ny * (z + 1) - 1 ? rowFirst[r + 1] : 0, above1 = z < nz - 1 ? rowFirst[r + ny] : 0;
                    for (int x = 0; x < nx; x += 32)
                    {
                        var c = cells.At(r, x);
                        uint starts = c.Starts;
                        int chunkUnknowns = BitOperations.PopCount(c.Unknowns);
                        for (; blocks[nextBlock] < k + chunkUnknowns; nextBlock++) // the blocks that start among these unknowns
                        {
                            uint lane = c.Unknowns;
                            for (int skip = blocks[nextBlock] - k; skip > 0; skip--) lane &= lane - 1;
                            starts |= lane & (~lane + 1);
                        }
                        for (; starts != 0; starts &= starts - 1)
                        {
                            int lane = BitOperations.TrailingZeroCount(starts);
                            uint lower = (1u << lane) - 1, at = 1u << lane;
                            int row = k + BitOperations.PopCount(c.Unknowns & lower);
                            bool before = (c.Before & at) != 0;
                            if (p >= rowPiece[r] && before) ends[p] |= 2; // the piece before ends at row - 1, which holds column row
                            p++;
                            start[p] = row;
                            ends[p] = (byte)(before ? 1 : 0);
                            // a side's unknown: its row's first not passed, plus those of this chunk before the lane
                            int Side(uint side, int first) => (side & at) == 0 ? 0 : first + BitOperations.PopCount(side & lower) - row;
                            int low0 = Side(c.Below0, below0), low1 = Side(c.Below1, below1), high0 = Side(c.Above0, above0), high1 = Side(c.Above1, above1);
                            (offsets[4 * p], offsets[4 * p + 1]) = low0 == 0 ? (low1, 0) : (low0, low1);
                            (offsets[4 * p + 2], offsets[4 * p + 3]) = high0 == 0 ? (high1, 0) : (high0, high1);
                        }
                        k += chunkUnknowns;
                        below0 += BitOperations.PopCount(c.Below0);
                        below1 += BitOperations.PopCount(c.Below1);
                        above0 += BitOperations.PopCount(c.Above0);
                        above1 += BitOperations.PopCount(c.Above1);
                    }
                }
            });
        }
        for (int b = 0; b < blocks.Length - 1; b++) blockPieces[b] = PieceAt(start, blocks[b], total);
        start[total] = n;
        return new RowPieces(start, offsets, ends, blockPieces);
    }

    /// <summary>The piece that starts at row k (one does: a block's first row starts a piece).</summary>
    static int PieceAt(int[] start, int k, int total) => Array.BinarySearch(start, 0, total, k);

    /// <summary>The first of <paramref name="blocks"/>' starts at or after row k (its last entry, the rows, when none).</summary>
    static int FirstBlockFrom(int[] blocks, int k)
    {
        int b = Array.BinarySearch(blocks, k);
        return b >= 0 ? b : ~b;
    }

    /// <summary>
    /// <see cref="CsrMatrix.BalancedRowBlocks(int[], int)"/>'s blocks of a grid's pattern known by its rows of cells'
    /// entries (<paramref name="rowEntries"/>: those before each row of cells): each cut found by walking the unknowns
    /// of the row of cells it falls in.
    /// </summary>
    static int[] BalancedBlocks(Cells cells, int nx, int[] rowFirst, long[] rowEntries)
    {
        int rows = rowFirst[^1], cellRows = rowFirst.Length - 1, parts = Math.Max(1, Math.Min(Environment.ProcessorCount * 4, rows));
        long nnz = rowEntries[cellRows];
        var blocks = new List<int> { 0 };
        for (int p = 1, r = 0; p < parts; p++)
        {
            long target = nnz * p / parts;
            // the first row whose entries before it reach the target lies in the first row of cells whose end reaches it
            while (r < cellRows - 1 && rowEntries[r + 1] < target) r++;
            int row = rowFirst[r];
            long before = rowEntries[r];
            for (int x = 0; x < nx && before < target; x += 32)
            {
                var c = cells.At(r, x);
                for (uint u = c.Unknowns; u != 0 && before < target; u &= u - 1, row++) before += c.Entries(u & (~u + 1));
            }
            if (row > blocks[^1] && row < rows) blocks.Add(row);
        }
        blocks.Add(rows);
        return [.. blocks];
    }

    /// <summary>
    /// Up to 32 cells of a row of cells as bit masks (lane j: cell x + j): the unknowns, the pieces they start, those
    /// whose cells x - 1 and x + 1 are unknowns, and the unknowns across -z, -y, +y and +z (0 off the grid).
    /// </summary>
    readonly record struct Chunk(uint Unknowns, uint Starts, uint Before, uint After, uint Below0, uint Below1, uint Above0, uint Above1)
    {
        /// <summary>The pattern's entries of the rows of the unknowns among the lanes of <paramref name="lanes"/>.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public int Entries(uint lanes = uint.MaxValue)
        {
            uint u = Unknowns & lanes;
            return BitOperations.PopCount(u) + BitOperations.PopCount(Before & u) + BitOperations.PopCount(After & u)
                + BitOperations.PopCount(Below0 & u) + BitOperations.PopCount(Below1 & u) + BitOperations.PopCount(Above0 & u) + BitOperations.PopCount(Above1 & u);
        }
    }

    /// <summary>
    /// A grid's cells read 32 of a row at a time as bit masks of their diagonal bytes (lane j: cell x + j), a vector of
    /// bytes at a time where every byte read lies in the grid, else cell by cell.
    /// </summary>
    readonly unsafe struct Cells(byte* d, int nx, int ny, int nz)
    {
        readonly int _cells = nx * ny * nz;

        /// <summary>The up to 32 cells of row of cells r from x on (lane j: cell x + j).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Chunk At(int r, int x)
        {
            int plane = nx * ny, i = r * nx + x, y = r % ny, z = r / ny, lanes = Math.Min(32, nx - x);
            int down = z > 0 ? plane : y > 0 ? nx : 0, up = z < nz - 1 ? plane : y < ny - 1 ? nx : 0;
            bool vector = Vector256.IsHardwareAccelerated && i - 1 - down >= 0 && i + 33 + up <= _cells;
            uint unknowns = Mask(i, lanes, vector);
            uint before = Mask(i - 1, lanes, vector) & unknowns & (x == 0 ? ~1u : uint.MaxValue); // cell x - 1 an unknown
            uint after = Mask(i + 1, lanes, vector) & unknowns & (x + lanes == nx ? ~(1u << (lanes - 1)) : uint.MaxValue);
            uint alike = uint.MaxValue; // lanes whose cells across y and z are unknowns as those of the cell before are
            uint below0 = Side(z > 0, i - plane, lanes, vector, ref alike), below1 = Side(y > 0, i - nx, lanes, vector, ref alike);
            uint above0 = Side(y < ny - 1, i + nx, lanes, vector, ref alike), above1 = Side(z < nz - 1, i + plane, lanes, vector, ref alike);
            // a piece goes on from the last unknown where this one holds it (before) and its sides are alike
            return new Chunk(unknowns, unknowns & ~(before & alike), before, after, below0, below1, above0, above1);
        }

        /// <summary>The unknowns among the cells across one side (from cell <paramref name="first"/>; none off the grid), and
        /// in <paramref name="alike"/> the lanes where the cell before's is alike.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        uint Side(bool inGrid, int first, int lanes, bool vector, ref uint alike)
        {
            if (!inGrid) return 0;
            uint side = Mask(first, lanes, vector);
            alike &= ~(side ^ Mask(first - 1, lanes, vector));
            return side;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        uint Mask(int first, int lanes, bool vector) =>
            vector ? Positive(d + first) & (lanes == 32 ? uint.MaxValue : (1u << lanes) - 1) : InGrid(first, lanes);

        static uint Positive(byte* first) => Vector256.GreaterThan(Vector256.Load(first), Vector256<byte>.Zero).ExtractMostSignificantBits();

        /// <summary>Bit j set where cell first + j (j below lanes) lies in the grid and is an unknown: a vector load where the 32
        /// bytes lie in the grid, else cell by cell.</summary>
        uint InGrid(int first, int lanes)
        {
            if (Vector256.IsHardwareAccelerated && first >= 0 && first + 32 <= _cells)
                return Positive(d + first) & (lanes == 32 ? uint.MaxValue : (1u << lanes) - 1);
            uint mask = 0;
            for (int j = 0; j < lanes; j++) if (first + j >= 0 && first + j < _cells && d[first + j] > 0) mask |= 1u << j;
            return mask;
        }
    }

    /// <summary>The pieces, for the tests.</summary>
    internal int Count => _start.Length - 1;

    /// <summary>The row blocks the product runs in parallel.</summary>
    public int Blocks => _blockPieces.Length - 1;

    /// <summary>
    /// y = A x on row block <paramref name="block"/> (A: d on the diagonal, -1 at the pattern's other columns); returns
    /// the block's x.y, summed in row order, when <paramref name="dot"/> (else 0).
    /// </summary>
    public unsafe double Product(int block, byte[] diagonal, double[] x, double[] y, bool dot)
    {
        double sum = 0;
        fixed (int* start = _start, offsets = _offsets)
        fixed (byte* ends = _ends, d = diagonal)
        fixed (double* input = x, output = y)
            for (int p = _blockPieces[block]; p < _blockPieces[block + 1]; p++)
            {
                int first = start[p], end = start[p + 1];
                int* o = offsets + 4 * p;
                int low0 = o[0], low1 = o[1], high0 = o[2], high1 = o[3];
                bool before = (ends[p] & 1) != 0, after = (ends[p] & 2) != 0;
                if (end - first == 1)
                    output[first] = Row(input, d, first, low0, low1, before, after, high0, high1);
                else
                {
                    output[first] = Row(input, d, first, low0, low1, before, true, high0, high1);
                    int k = first + 1, last = end - 1; // rows first + 1 .. last - 1 hold both k - 1 and k + 1
                    if (Vector.IsHardwareAccelerated && Vector<double>.Count == 4 && Avx2.IsSupported)
                        for (; k + 4 <= last; k += 4)
                        {
                            var s = Vector256<double>.Zero;
                            if (low0 != 0) s -= Vector256.Load(input + k + low0);
                            if (low1 != 0) s -= Vector256.Load(input + k + low1);
                            s -= Vector256.Load(input + k - 1);
                            s += Diagonals(d + k) * Vector256.Load(input + k);
                            s -= Vector256.Load(input + k + 1);
                            if (high0 != 0) s -= Vector256.Load(input + k + high0);
                            if (high1 != 0) s -= Vector256.Load(input + k + high1);
                            s.Store(output + k);
                        }
                    for (; k < last; k++) output[k] = Row(input, d, k, low0, low1, true, true, high0, high1);
                    output[last] = Row(input, d, last, low0, low1, true, after, high0, high1);
                }
                if (dot) for (int k = first; k < end; k++) sum += input[k] * output[k];
            }
        return sum;
    }

    /// <summary>Row k's sum in the pattern's order: the columns below, k - 1, the diagonal, k + 1, the columns above.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe double Row(double* x, byte* d, int k, int low0, int low1, bool before, bool after, int high0, int high1)
    {
        double s = 0;
        if (low0 != 0) s -= x[k + low0];
        if (low1 != 0) s -= x[k + low1];
        if (before) s -= x[k - 1];
        s += d[k] * x[k];
        if (after) s -= x[k + 1];
        if (high0 != 0) s -= x[k + high0];
        if (high1 != 0) s -= x[k + high1];
        return s;
    }

    /// <summary>Four diagonal bytes as doubles.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static unsafe Vector256<double> Diagonals(byte* d) =>
        Avx.ConvertToVector256Double(Sse41.ConvertToVector128Int32(Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<uint>(d)).AsByte()));

    /// <summary>A row's columns other than k, k - 1 and k + 1 as offsets from k (0: none), and whether it holds k - 1 and k + 1.</summary>
    readonly record struct Shape(int Low0, int Low1, bool Before, bool After, int High0, int High1)
    {
        /// <summary>Row k's shape, its columns ascending (a <see cref="Sparse.CsrMatrix"/>'s are); null where it is no voxel row.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Shape? Of(int[] rowStart, int[] columns, int k)
        {
            int e = rowStart[k], end = rowStart[k + 1], low0 = 0, low1 = 0, high0 = 0, high1 = 0;
            if (e < end && columns[e] < k - 1)
            {
                low0 = columns[e++] - k;
                if (e < end && columns[e] < k - 1) low1 = columns[e++] - k;
            }
            bool before = e < end && columns[e] == k - 1;
            if (before) e++;
            if (e == end || columns[e] != k) return null;
            e++;
            bool after = e < end && columns[e] == k + 1;
            if (after) e++;
            if (e < end)
            {
                high0 = columns[e++] - k;
                if (e < end) high1 = columns[e++] - k;
            }
            if (e != end) return null;
            return new Shape(low0, low1, before, after, high0, high1);
        }

        /// <summary>Whether this row (k) goes on the piece that <paramref name="previous"/> (row k - 1) is the last row of.</summary>
        public bool Continues(Shape previous) =>
            Before && previous.After && Low0 == previous.Low0 && Low1 == previous.Low1 && High0 == previous.High0 && High1 == previous.High1;
    }
}
