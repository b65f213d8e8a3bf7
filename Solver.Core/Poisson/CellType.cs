namespace Dcdm.Poisson;

/// <summary>What a voxel holds. The byte values are the flags file format.</summary>
public enum CellType : byte
{
    /// <summary>A wall: zero normal flux (Neumann). Cells outside the grid count as solid.</summary>
    Solid = 0,
    /// <summary>An unknown pressure.</summary>
    Fluid = 1,
    /// <summary>Open air: pressure fixed at 0 (Dirichlet).</summary>
    Air = 2,
}
