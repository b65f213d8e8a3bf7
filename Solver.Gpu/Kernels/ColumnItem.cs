namespace Dcdm.Gpu.Kernels;

/// <summary>
/// Work item t of a column walk over a <see cref="GridShape"/> whose rows hold <c>width</c> items (nx cells,
/// or nx / 4 quads): column (X, Y) over planes [Z0, Z1), and Start, the item index of (X, Y, Z0).
/// Items run x fastest, then y, then the z chunk, so a group covers neighbouring columns.
/// </summary>
readonly struct ColumnItem
{
    public readonly int X, Y, Z0, Z1, Start;

    public ColumnItem(GridShape s, int width, int t)
    {
        X = t % width;
        int rest = t / width;
        Y = rest % s.Ny;
        Z0 = rest / s.Ny * s.Chunk;
        Z1 = Math.Min(Z0 + s.Chunk, s.Nz);
        Start = X + width * (Y + s.Ny * Z0);
    }
}
