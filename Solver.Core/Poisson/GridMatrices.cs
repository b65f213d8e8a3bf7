using Dcdm.Sparse;

namespace Dcdm.Poisson;

/// <summary>The grid's 7-point operator assembled as a sparse matrix (matrix-free solvers never need it).</summary>
public static class GridMatrices
{
    /// <summary>Assembles the 7-point operator as CSR in the chosen layout.</summary>
    public static CsrMatrix ToCsr(this PoissonGrid grid, GridMatrixLayout layout = GridMatrixLayout.Compact)
    {
        bool full = layout == GridMatrixLayout.FullGrid;
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        var cells = grid.Cells;
        var compact = grid.CompactIndex;
        var fluid = grid.FluidCells;
        int rows = full ? grid.CellCount : fluid.Length;
        var ptr = new int[rows + 1];
        var cols = new int[(long)fluid.Length * 7 > int.MaxValue ? throw new InvalidOperationException("grid too large for CSR") : fluid.Length * 7];
        var vals = new double[cols.Length];
        int w = 0, r = 0;
        Span<int> nb = stackalloc int[6];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    int i = x + nx * (y + ny * z);
                    if (cells[i] != CellType.Fluid)
                    {
                        if (full) ptr[++r] = w;
                        continue;
                    }
                    int count = 0;
                    if (z > 0) nb[count++] = i - nx * ny;
                    if (y > 0) nb[count++] = i - nx;
                    if (x > 0) nb[count++] = i - 1;
                    int diagSlot = count;
                    if (x < nx - 1) nb[count++] = i + 1;
                    if (y < ny - 1) nb[count++] = i + nx;
                    if (z < nz - 1) nb[count++] = i + nx * ny;
                    // neighbours are in ascending index order; the diagonal sits between lower and upper ones
                    int diag = 0;
                    for (int k = 0; k < count; k++) if (cells[nb[k]] != CellType.Solid) diag++;
                    int self = full ? i : compact[i];
                    for (int k = 0; k <= count; k++)
                    {
                        if (k == diagSlot) { cols[w] = self; vals[w] = diag; w++; }
                        if (k < count && cells[nb[k]] == CellType.Fluid) { cols[w] = full ? nb[k] : compact[nb[k]]; vals[w] = -1; w++; }
                    }
                    ptr[++r] = w;
                }
        Array.Resize(ref cols, w); Array.Resize(ref vals, w);
        return new CsrMatrix(rows, rows, ptr, cols, vals);
    }
}
