namespace Dcdm.Gpu.Multigrid;

/// <summary>The size of one multigrid level's full grid (x fastest, no padding), as the level kernels take it.</summary>
public readonly struct LevelShape(int nx, int ny, int nz)
{
    public readonly int Nx = nx, Ny = ny, Nz = nz;
    public int Cells => Nx * Ny * Nz;
    /// <summary>Cells of one colour per x row, rounded up: the work items of a colour sweep are these times ny nz.</summary>
    public int HalfRow => (Nx + 1) / 2;
    /// <summary>The next coarser level: 2x2x2 blocks, sizes rounded up.</summary>
    public LevelShape Coarser => new((Nx + 1) / 2, (Ny + 1) / 2, (Nz + 1) / 2);
}
