using Dcdm.Sparse;

namespace Dcdm.Poisson;

/// <summary>The grid's 7-point operator assembled as a sparse matrix (matrix-free solvers never need it).</summary>
public static class GridMatrices
{
    /// <summary>Assembles the 7-point operator as CSR in the chosen layout: the fluid cells' rows counted, then written, in parallel chunks.</summary>
    public static CsrMatrix ToCsr(this PoissonGrid grid, GridMatrixLayout layout = GridMatrixLayout.Compact)
    {
        bool full = layout == GridMatrixLayout.FullGrid;
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, plane = nx * ny;
        var cells = grid.CellArray;
        var fluid = grid.FluidCells;
        var compact = full ? null : grid.CompactIndex;
        int rows = full ? grid.CellCount : fluid.Length;
        if ((long)fluid.Length * 7 > int.MaxValue)
            throw new InvalidOperationException($"a {nx}x{ny}x{nz} grid with {fluid.Length} fluid cells is too large for CSR (int indices); use a matrix-free solver");
        int Row(int k) => full ? fluid[k] : k;
        // a fluid cell's six neighbours in ascending index order (-z, -y, -x, +x, +y, +z); -1 outside the grid
        void Neighbours(int i, Span<int> nb)
        {
            int x = i % nx, y = i / nx % ny, z = i / plane;
            nb[0] = z > 0 ? i - plane : -1; nb[1] = y > 0 ? i - nx : -1; nb[2] = x > 0 ? i - 1 : -1;
            nb[3] = x < nx - 1 ? i + 1 : -1; nb[4] = y < ny - 1 ? i + nx : -1; nb[5] = z < nz - 1 ? i + plane : -1;
        }
        const int Chunk = 1 << 14;
        int chunks = (fluid.Length + Chunk - 1) / Chunk;
        var ptr = new int[rows + 1];
        Parallel.For(0, chunks, c =>
        {
            Span<int> nb = stackalloc int[6];
            for (int k = c * Chunk, end = Math.Min(fluid.Length, k + Chunk); k < end; k++)
            {
                Neighbours(fluid[k], nb);
                int entries = 1;
                foreach (int j in nb) if (j >= 0 && cells[j] == CellType.Fluid) entries++;
                ptr[Row(k) + 1] = entries;
            }
        });
        for (int r = 0; r < rows; r++) ptr[r + 1] += ptr[r];
        var cols = new int[ptr[rows]];
        var vals = new double[cols.Length];
        Parallel.For(0, chunks, c =>
        {
            Span<int> nb = stackalloc int[6];
            for (int k = c * Chunk, end = Math.Min(fluid.Length, k + Chunk); k < end; k++)
            {
                int i = fluid[k], w = ptr[Row(k)], diag = 0;
                Neighbours(i, nb);
                foreach (int j in nb) if (j >= 0 && cells[j] != CellType.Solid) diag++;
                for (int s = 0; s <= 6; s++)
                {
                    if (s == 3) { cols[w] = full ? i : k; vals[w] = diag; w++; } // the diagonal between lower and upper neighbours
                    if (s < 6 && nb[s] >= 0 && cells[nb[s]] == CellType.Fluid) { cols[w] = full ? nb[s] : compact![nb[s]]; vals[w] = -1; w++; }
                }
            }
        });
        return new CsrMatrix(rows, rows, ptr, cols, vals);
    }
}
