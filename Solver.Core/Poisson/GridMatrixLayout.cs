namespace Dcdm.Poisson;

/// <summary>How a grid system is stored as a matrix (ARCHITECTURE.md, conventions).</summary>
public enum GridMatrixLayout
{
    /// <summary>One row per cell (nx*ny*nz square); rows and columns of non-fluid cells are all zero (the DCDM data convention).</summary>
    FullGrid,
    /// <summary>One row per fluid cell, in grid order; <see cref="PoissonGrid.FluidCells"/> maps rows to cells.</summary>
    Compact,
}
