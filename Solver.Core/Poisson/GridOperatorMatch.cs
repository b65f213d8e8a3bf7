using Dcdm.Sparse;

namespace Dcdm.Poisson;

/// <summary>
/// Recognises a matrix as the 7-point voxel operator of a grid (what DCDM's network needs: the cell
/// flags). Full-grid layout: n^3 rows, a box its couplings name (<see cref="Shapes"/>) or the given sizes, rows of
/// non-fluid cells all zero. Without a
/// flags file the flags are rebuilt from the matrix: fluid = rows with entries; each fluid cell's
/// diagonal minus its fluid neighbours is the number of air neighbours it needs. Air cells are placed
/// greedily, top first (+z, -z, +y, -y, +x, -x), only where every fluid neighbour still needs one;
/// the rest are solid; cells that touch no fluid (invisible in the matrix) become air when connected to air.
/// The result is accepted only if the grid's operator equals the matrix entry for entry.
/// </summary>
public static class GridOperatorMatch
{
    /// <summary>
    /// The grid whose full-grid operator is <paramref name="a"/>, or null with the reason. Without a size: the n^3 grid
    /// where the rows are a cube, else (or where that fails) the box <see cref="FromCouplings"/> reads from the matrix.
    /// </summary>
    public static PoissonGrid? Infer(CsrMatrix a, (int Nx, int Ny, int Nz)? size, out string why)
    {
        if (size is not null) return InferAs(a, size.Value, out why);
        why = $"{a.Rows} rows is not n^3 and its couplings name no box; give the grid as --grid nx,ny,nz or a --flags file";
        bool first = true;
        foreach (var shape in Shapes(a))
        {
            if (InferAs(a, shape, out string failed) is { } grid)
            {
                why = "";
                return grid;
            }
            string tried = $"as a {shape.Nx}x{shape.Ny}x{shape.Nz} grid, {failed}";
            why = first ? tried : $"{why}; {tried}";
            first = false;
        }
        return null;
    }

    /// <summary>The grids a full-grid voxel matrix without a given size may be, in the order to try them: the n^3 one
    /// where its rows are a cube, then <see cref="FromCouplings"/> where that is another (read only if asked for, and
    /// only until the couplings are seen to be the cube's).</summary>
    public static IEnumerable<(int Nx, int Ny, int Nz)> Shapes(CsrMatrix a)
    {
        var cube = Cube(a.Rows);
        if (cube is { } c) yield return c;
        if (CouplingsBox(a, cube) is { } read && read != cube) yield return read;
    }

    /// <summary>
    /// The box whose cells' face neighbours sit where a's couplings do: rows j and i = j + d are neighbours along x
    /// (d = 1), y (d = nx) or z (d = nx ny), so the distinct distances 1 &lt; a &lt; b give nx = a, ny = b / a and
    /// nz = rows / b, and 1 &lt; a alone a flat nx = a by rows / a grid; null where they give no box (more than three
    /// distances, none of 1, or a size that does not divide). Only a guess: the match with the grid's operator decides.
    /// </summary>
    public static (int Nx, int Ny, int Nz)? FromCouplings(CsrMatrix a) => CouplingsBox(a, null);

    /// <param name="known">A box already tried: once the three distances seen are its own, the answer is that box or none
    /// (a fourth distance), so the scan stops there (within its first nx ny + 1 rows) and gives it.</param>
    static (int Nx, int Ny, int Nz)? CouplingsBox(CsrMatrix a, (int Nx, int Ny, int Nz)? known)
    {
        Span<int> seen = stackalloc int[3];
        int count = 0;
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int d = Math.Abs(i - a.ColumnIndices[k]);
                if (d == 0 || a.Values[k] == 0 || seen[..count].Contains(d)) continue;
                if (count == 3) return null;
                seen[count++] = d;
                if (count == 3 && known is var (kx, ky, _) && seen.Contains(1) && seen.Contains(kx) && seen.Contains(kx * ky)) return known;
            }
        seen[..count].Sort();
        int rows = a.Rows;
        return count switch
        {
            1 when seen[0] == 1 => (rows, 1, 1),
            2 when seen[0] == 1 && rows % seen[1] == 0 => (seen[1], rows / seen[1], 1),
            3 when seen[0] == 1 && seen[2] % seen[1] == 0 && rows % seen[2] == 0 => (seen[1], seen[2] / seen[1], rows / seen[2]),
            _ => null,
        };
    }

    static PoissonGrid? InferAs(CsrMatrix a, (int Nx, int Ny, int Nz) dims, out string why)
    {
        var (nx, ny, nz) = dims;
        if ((long)nx * ny * nz != a.Rows)
        {
            why = $"the grid {nx}x{ny}x{nz} has {(long)nx * ny * nz} cells but the matrix has {a.Rows} rows";
            return null;
        }
        var cells = new CellType[a.Rows];
        for (int i = 0; i < a.Rows; i++) cells[i] = a.RowHasNonZero(i) ? CellType.Fluid : CellType.Solid;
        // deficit: air neighbours a fluid cell still needs (its diagonal minus its fluid neighbours)
        var deficit = new int[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            if (cells[i] != CellType.Fluid) continue;
            int fluidNeighbours = 0;
            double diagonal = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                if (j == i) diagonal = a.Values[k];
                else if (a.Values[k] != 0) fluidNeighbours++;
            }
            deficit[i] = (int)Math.Round(diagonal) - fluidNeighbours;
            if (deficit[i] < 0 || deficit[i] > 6 || Math.Abs(diagonal - Math.Round(diagonal)) > 1e-12)
            {
                why = $"row {i + 1}: diagonal {diagonal:g6} with {fluidNeighbours} off-diagonal entries is not a 7-point voxel Poisson row";
                return null;
            }
        }
        Span<int> around = stackalloc int[6], next = stackalloc int[6], touched = stackalloc int[6];
        for (int i = 0; i < a.Rows; i++)
        {
            while (cells[i] == CellType.Fluid && deficit[i] > 0)
            {
                // an air cell counts for every fluid neighbour it has: only one that all of them still need will do
                int chosen = -1;
                int count = Neighbours(i, nx, ny, nz, around);
                for (int c = 0; c < count && chosen < 0; c++)
                {
                    int j = around[c];
                    if (cells[j] != CellType.Solid) continue;
                    bool fits = true;
                    int m = Neighbours(j, nx, ny, nz, next);
                    for (int t = 0; t < m; t++) if (cells[next[t]] == CellType.Fluid && deficit[next[t]] < 1) fits = false;
                    if (fits) chosen = j;
                }
                if (chosen < 0)
                {
                    why = $"row {i + 1}: its diagonal asks for more air neighbours than any placement of air cells gives; pass the cell flags with --flags";
                    return null;
                }
                cells[chosen] = CellType.Air;
                int n = Neighbours(chosen, nx, ny, nz, touched);
                for (int t = 0; t < n; t++) if (cells[touched[t]] == CellType.Fluid) deficit[touched[t]]--;
            }
        }
        // Cells with no fluid neighbour do not show in the matrix; an air region reaches through them
        // (a tank's air above its surface layer), so flood air into those that touch air.
        var hidden = new bool[a.Rows];
        var queue = new Queue<int>();
        for (int i = 0; i < a.Rows; i++)
        {
            if (cells[i] == CellType.Fluid) continue;
            int m = Neighbours(i, nx, ny, nz, around);
            bool touchesFluid = false;
            for (int t = 0; t < m; t++) touchesFluid |= cells[around[t]] == CellType.Fluid;
            hidden[i] = !touchesFluid;
            if (cells[i] == CellType.Air) queue.Enqueue(i);
        }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue();
            int m = Neighbours(i, nx, ny, nz, around);
            for (int t = 0; t < m; t++)
            {
                int j = around[t];
                if (hidden[j] && cells[j] == CellType.Solid) { cells[j] = CellType.Air; queue.Enqueue(j); }
            }
        }
        var grid = new PoissonGrid(nx, ny, nz, cells);
        return Matches(grid, a, GridMatrixLayout.FullGrid, out why) ? grid : null;
    }

    /// <summary>
    /// Whether a equals the grid's operator in the layout (same entries, same values; stored zeros ignored), row by
    /// row with the expected stencil built on the fly (in parallel over blocks of rows; the first differing row is
    /// named): nothing the size of the matrix is allocated.
    /// </summary>
    public static bool Matches(PoissonGrid grid, CsrMatrix a, GridMatrixLayout layout, out string why)
    {
        bool full = layout == GridMatrixLayout.FullGrid;
        int rows = full ? grid.CellCount : grid.FluidCount;
        if (rows != a.Rows || !a.IsSquare)
        {
            why = $"the grid's operator has {rows} rows ({layout}), the matrix {a.Rows} x {a.Columns}";
            return false;
        }
        var fluid = grid.FluidCells; // built once here, not by the blocks
        var compact = full ? null : grid.CompactIndex;
        const int block = 1 << 14;
        int firstDiffering = rows;
        Parallel.For(0, (rows + block - 1) / block, k =>
        {
            for (int i = k * block; i < Math.Min(rows, (k + 1) * block) && i < Volatile.Read(ref firstDiffering); i++)
                if (!RowMatches(grid, a, fluid, compact, i))
                {
                    for (int seen = Volatile.Read(ref firstDiffering); i < seen; seen = Volatile.Read(ref firstDiffering))
                        if (Interlocked.CompareExchange(ref firstDiffering, i, seen) == seen) break;
                    return;
                }
        });
        why = firstDiffering == rows ? ""
            : $"row {firstDiffering + 1} differs from the 7-point voxel operator of the grid (it is not a voxel Poisson matrix, or the flags do not fit it)";
        return firstDiffering == rows;
    }

    /// <summary>Row i of a against the grid's 7-point stencil of its cell (compact null: the full-grid layout).</summary>
    static bool RowMatches(PoissonGrid grid, CsrMatrix a, int[] fluid, int[]? compact, int i)
    {
        bool full = compact is null;
        var cells = grid.Cells;
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        Span<int> neighbours = stackalloc int[6];
        Span<(int Column, double Value)> expected = stackalloc (int, double)[7];
        int cell = full ? i : fluid[i], count = 0;
        if (cells[cell] == CellType.Fluid)
        {
            int open = 0, n = Neighbours(cell, nx, ny, nz, neighbours);
            foreach (int j in neighbours[..n])
            {
                if (cells[j] == CellType.Solid) continue;
                open++;
                if (cells[j] == CellType.Fluid) expected[count++] = (full ? j : compact![j], -1);
            }
            if (open > 0) expected[count++] = (i, open);
        }
        for (int m = 1; m < count; m++) // insertion sort of at most 7 entries (no comparer to allocate per row)
            for (int q = m; q > 0 && expected[q - 1].Column > expected[q].Column; q--)
                (expected[q - 1], expected[q]) = (expected[q], expected[q - 1]);
        int e = 0;
        bool same = true;
        for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1] && same; k++)
        {
            if (a.Values[k] == 0) continue;
            same = e < count && expected[e].Column == a.ColumnIndices[k] && expected[e].Value == a.Values[k];
            e++;
        }
        return same && e == count;
    }

    /// <summary>The in-grid face neighbours of cell i, top first (+z, -z, +y, -y, +x, -x).</summary>
    static int Neighbours(int i, int nx, int ny, int nz, Span<int> into)
    {
        int plane = nx * ny, x = i % nx, y = i / nx % ny, z = i / plane, count = 0;
        if (z < nz - 1) into[count++] = i + plane;
        if (z > 0) into[count++] = i - plane;
        if (y < ny - 1) into[count++] = i + nx;
        if (y > 0) into[count++] = i - nx;
        if (x < nx - 1) into[count++] = i + 1;
        if (x > 0) into[count++] = i - 1;
        return count;
    }

    /// <summary>The n x n x n grid a full-grid matrix of <paramref name="rows"/> rows is, when rows is a cube; null otherwise.</summary>
    public static (int Nx, int Ny, int Nz)? Cube(int rows)
    {
        int n = (int)Math.Round(Math.Cbrt(rows));
        for (int c = Math.Max(1, n - 1); c <= n + 1; c++) if ((long)c * c * c == rows) return (c, c, c);
        return null;
    }
}
