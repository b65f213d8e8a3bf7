using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dcdm.Multigrid;

/// <summary>
/// How a grid's cells map to its first level's rows: by 2x2x2 blocks, each block's occupancy (bit s: slot s = dx + 2 dy +
/// 4 dz holds an unknown) and its first row; a cell's row is that plus its slot's piece. The transfers run block by block
/// from these, a byte and an int per eight cells, instead of an int per cell that a set-up would have to write.
/// </summary>
internal sealed class FirstLevelBlocks(int nx, int ny, int nz, byte[] mask, int[] offset)
{
    readonly int _cx = (nx + 1) / 2, _cy = (ny + 1) / 2, _cz = (nz + 1) / 2;
    /// <summary>The blocks holding an unknown, ascending, where they are fewer than <see cref="OccupiedShare"/> of the
    /// blocks (a sparse domain: the transfers walk these, not every block's mask); else null.</summary>
    readonly int[]? _occupied = Occupied(mask);

    /// <summary>Blocks holding an unknown under this share of all: the transfers walk a list of them (tunnels at 128^3,
    /// about a fifth: the planes' test of every mask is mispredicted where full and empty blocks alternate at random).</summary>
    internal const double OccupiedShare = 0.3;

    static int[]? Occupied(byte[] mask)
    {
        int count = mask.Length - mask.AsSpan().Count((byte)0);
        if (count >= OccupiedShare * mask.Length) return null;
        var occupied = new int[count];
        for (int b = 0, k = 0; b < mask.Length; b++) if (mask[b] != 0) occupied[k++] = b;
        return occupied;
    }

    /// <summary>Whether the transfers walk the occupied blocks' list.</summary>
    internal bool WalksOccupied => _occupied is not null;

    /// <summary>body(b, f) for each block b holding an unknown, f its first cell: by the list in parallel chunks where there
    /// is one, else <paramref name="rows"/>(bz, by0, by1) doing block rows by0..by1 of block plane bz, by planes or runs of
    /// block rows (<see cref="RowRuns"/>), in parallel on large grids.</summary>
    void ForOccupied(Action<int, int, int> rows, Action<int, int> block)
    {
        if (_occupied is { } list)
        {
            SparseUnknowns.ForChunks(list.Length, (from, to) =>
            {
                for (int k = from; k < to; k++)
                {
                    int b = list[k], bx = b % _cx, by = b / _cx % _cy, bz = b / (_cx * _cy);
                    block(b, 2 * bx + nx * (2 * by + ny * 2 * bz));
                }
            });
            return;
        }
        RowRuns.For(0, _cz - 1, 0, _cy - 1, (long)Cells >= VCycleKernels.ParallelCells, rows);
    }
    /// <summary>Each slot's cell from its block's first cell.</summary>
    readonly int[] _slotCell = [.. Enumerable.Range(0, 8).Select(s => (s & 1) + nx * (s >> 1 & 1) + nx * ny * (s >> 2))];

    public int Cells => nx * ny * nz;

    /// <summary>The first level's row of <paramref name="cell"/>; -1 when it is not an unknown.</summary>
    public int RowOf(int cell)
    {
        int plane = nx * ny, z = cell / plane, y = cell / nx % ny, x = cell % nx;
        return Row(x / 2 + _cx * (y / 2 + _cy * (z / 2)), (x & 1) + 2 * (y & 1) + 4 * (z & 1));
    }

    /// <summary>The row of slot s of block b; -1 when the slot holds no unknown.</summary>
    int Row(int b, int s)
    {
        int m = mask[b];
        return (m >> s & 1) == 0 ? -1 : offset[b] + Aggregation.PieceOf(m, s);
    }

    /// <summary>The rows of <paramref name="cells"/>, all unknowns (-1 for any that is not).</summary>
    public int[] RowsOf(int[] cells)
    {
        var rows = new int[cells.Length];
        for (int k = 0; k < cells.Length; k++) rows[k] = RowOf(cells[k]);
        return rows;
    }

    /// <summary>Each cell's row (-1: not an unknown), by planes in parallel; four full blocks at a time where a row of cells
    /// crosses them (each one piece: each of their rows twice).</summary>
    public int[] ParentMap()
    {
        var parent = new int[Cells];
        Parallel.For(0, nz, z =>
        {
            for (int y = 0; y < ny; y++)
            {
                int blocks = _cx * (y / 2 + _cy * (z / 2)), slot = 2 * (y & 1) + 4 * (z & 1); // the row's first block, its cells' slot at even x
                for (int x = 0, i = (z * ny + y) * nx; x < nx;)
                {
                    int b = blocks + (x >> 1);
                    if (Vector256.IsHardwareAccelerated && (x & 1) == 0 && x + 8 <= nx && Unsafe.ReadUnaligned<uint>(ref mask[b]) == uint.MaxValue)
                    {
                        var rows = Vector128.LoadUnsafe(ref offset[b]);
                        Vector256.Shuffle(Vector256.Create(rows, rows), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3)).StoreUnsafe(ref parent[i]);
                        x += 8; i += 8;
                        continue;
                    }
                    parent[i] = Row(b, slot + (x & 1));
                    x++; i++;
                }
            }
        });
        return parent;
    }

    /// <summary>
    /// coarse = P0^T r: each row the sum of its cells' r in cell order (a block's cells ascend by slot), in parallel block
    /// planes (<see cref="ForOccupied"/>); every row is written (each is some block's piece), so coarse needs no clearing.
    /// </summary>
    public void Restrict(float[] r, double[] coarse)
    {
        int plane = nx * ny;
        void Block(int b, int f)
        {
            int m = mask[b], row = offset[b];
            if (m == 0xFF) // a full block (most): its eight cells in slot order
            {
                double sum = 0; // as a cleared row takes them, -0 included
                sum += r[f]; sum += r[f + 1]; sum += r[f + nx]; sum += r[f + nx + 1];
                sum += r[f + plane]; sum += r[f + plane + 1]; sum += r[f + plane + nx]; sum += r[f + plane + nx + 1];
                coarse[row] = sum;
                return;
            }
            if (m == 0) return;
            if (Aggregation.PiecesIn(m) == 1)
            {
                double sum = 0;
                for (int bits = m; bits != 0; bits &= bits - 1) sum += r[f + _slotCell[BitOperations.TrailingZeroCount(bits)]];
                coarse[row] = sum;
                return;
            }
            coarse.AsSpan(row, Aggregation.PiecesIn(m)).Clear();
            for (int bits = m; bits != 0; bits &= bits - 1)
            {
                int s = BitOperations.TrailingZeroCount(bits);
                coarse[row + Aggregation.PieceOf(m, s)] += r[f + _slotCell[s]];
            }
        }
        void Rows(int bz, int by0, int by1)
        {
            for (int by = by0; by <= by1; by++)
                for (int bx = 0, b = _cx * (by + _cy * bz), f = nx * (2 * by + ny * 2 * bz); bx < _cx; bx++, b++, f += 2) Block(b, f);
        }
        ForOccupied(Rows, Block);
    }

    /// <summary>x += P0 coarse: each unknown cell takes its row's value (float), in parallel block planes; four full blocks
    /// along x at a time, a vector of their rows' values (each twice) added to each of their four rows of cells.</summary>
    public void Prolong(double[] coarse, float[] x)
    {
        int plane = nx * ny;
        void Block(int b, int f)
        {
            int m = mask[b];
            if (m == 0) return;
            int row = offset[b];
            bool one = Aggregation.PiecesIn(m) == 1;
            float value = (float)coarse[row];
            for (int bits = m; bits != 0; bits &= bits - 1)
            {
                int s = BitOperations.TrailingZeroCount(bits);
                x[f + _slotCell[s]] += one ? value : (float)coarse[row + Aggregation.PieceOf(m, s)];
            }
        }
        void Rows(int bz, int by0, int by1)
        {
            for (int by = by0; by <= by1; by++)
                for (int bx = 0, b = _cx * (by + _cy * bz), f = nx * (2 * by + ny * 2 * bz); bx < _cx; bx++, b++, f += 2)
                {
                    if (Vector256.IsHardwareAccelerated && 2 * bx + 8 <= nx && Unsafe.ReadUnaligned<uint>(ref mask[b]) == uint.MaxValue)
                    {
                        var rows = Vector128.Create((float)coarse[offset[b]], (float)coarse[offset[b + 1]], (float)coarse[offset[b + 2]], (float)coarse[offset[b + 3]]);
                        var values = Vector256.Shuffle(Vector256.Create(rows, rows), Vector256.Create(0, 0, 1, 1, 2, 2, 3, 3));
                        Add(x, f, values); Add(x, f + nx, values); Add(x, f + plane, values); Add(x, f + plane + nx, values);
                        bx += 3; b += 3; f += 6;
                        continue;
                    }
                    Block(b, f);
                }
        }
        ForOccupied(Rows, Block);
    }

    static void Add(float[] x, int at, Vector256<float> values) => (Vector256.LoadUnsafe(ref x[at]) + values).StoreUnsafe(ref x[at]);
}
