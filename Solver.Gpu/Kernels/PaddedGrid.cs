namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The layout the quad kernels run on: an nx x ny x nz grid (x fastest) whose rows are widened to
/// <see cref="Width"/>, the next multiple of 4, by solid cells (diagonal byte 0, so every vector stays 0
/// there). A fluid cell of the last column then sees a solid neighbour where it saw the grid's edge, which
/// the operator also treats as solid: the operator is unchanged. With nx % 4 == 0 the two layouts are one.
/// </summary>
public readonly struct PaddedGrid
{
    /// <summary>The caller's grid size.</summary>
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    /// <summary>Cells per row in the padded layout: nx rounded up to a multiple of 4.</summary>
    public int Width { get; }
    public bool IsPadded => Width != Nx;
    /// <summary>Cells of the padded layout.</summary>
    public int Cells => Width * Ny * Nz;

    public PaddedGrid(int nx, int ny, int nz)
    {
        if (nx < 1 || ny < 1 || nz < 1) throw new ArgumentOutOfRangeException(nameof(nx), $"grid size {nx} x {ny} x {nz} must be at least 1 in every direction");
        int width = (nx + 3) / 4 * 4;
        if ((long)width * ny * nz > int.MaxValue) throw new ArgumentOutOfRangeException(nameof(nx), $"grid {nx} x {ny} x {nz} padded to {width} in x has more than {int.MaxValue} cells");
        Nx = nx; Ny = ny; Nz = nz; Width = width;
    }

    /// <summary>The padded layout as the column kernels walk it, chunk z planes per work item (clamped to [1, nz]).</summary>
    public GridShape Shape(int chunk) => new(Width, Ny, Nz, Math.Clamp(chunk, 1, Nz));

    /// <summary>to (padded layout) = from (the caller's layout), the padding cells set to default.</summary>
    public void Pad<T>(ReadOnlySpan<T> from, Span<T> to)
    {
        Check(from.Length, to.Length);
        for (int row = 0, rows = Ny * Nz; row < rows; row++)
        {
            from.Slice(row * Nx, Nx).CopyTo(to.Slice(row * Width, Nx));
            to.Slice(row * Width + Nx, Width - Nx).Clear();
        }
    }

    /// <summary>A new array in the padded layout holding from (the caller's layout), the padding cells set to default.</summary>
    public T[] Pad<T>(ReadOnlySpan<T> from)
    {
        var to = new T[Cells];
        Pad(from, to);
        return to;
    }

    /// <summary>to (the caller's layout) = from (padded layout), the padding cells left out.</summary>
    public void Unpad<T>(ReadOnlySpan<T> from, Span<T> to)
    {
        Check(to.Length, from.Length);
        for (int row = 0, rows = Ny * Nz; row < rows; row++)
            from.Slice(row * Width, Nx).CopyTo(to.Slice(row * Nx, Nx));
    }

    void Check(int caller, int padded)
    {
        if (caller != Nx * Ny * Nz || padded != Cells)
            throw new ArgumentException($"a {Nx} x {Ny} x {Nz} grid padded to {Width} in x needs {Nx * Ny * Nz} and {Cells} values, got {caller} and {padded}");
    }
}
