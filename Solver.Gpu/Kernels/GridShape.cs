namespace Dcdm.Gpu.Kernels;

/// <summary>
/// An nx x ny x nz grid (x fastest) walked by the column kernels: each work item is one (x, y) column
/// over <see cref="Chunk"/> consecutive z planes, so a thread keeps the z-1, z and z+1 values in
/// registers and computes no division per cell.
/// </summary>
public readonly struct GridShape(int nx, int ny, int nz, int chunk)
{
    public readonly int Nx = nx, Ny = ny, Nz = nz, Chunk = chunk;
    public int Plane => Nx * Ny;
    public int Cells => Nx * Ny * Nz;
    public int Chunks => (Nz + Chunk - 1) / Chunk;
    /// <summary>Work items: columns times z chunks.</summary>
    public int Items => Nx * Ny * Chunks;
}
