namespace Dcdm.Solvers;

/// <summary>The box a solver ran on: its origin and size inside a grid of <paramref name="Grid"/>'s size.</summary>
internal readonly record struct CroppedBox((int X, int Y, int Z) Grid, (int X, int Y, int Z) Origin, (int X, int Y, int Z) Size)
{
    public long Cells => (long)Size.X * Size.Y * Size.Z;

    /// <summary>The box's cells of a grid's array into <paramref name="onBox"/> (x fastest in both), planes in parallel.</summary>
    public void Cut<T>(T[] full, T[] onBox)
    {
        var ((nx, ny, _), origin, (sx, sy, sz)) = this;
        Parallel.For(0, sz, z =>
        {
            for (int y = 0; y < sy; y++)
                full.AsSpan(origin.X + nx * (origin.Y + y + ny * (origin.Z + z)), sx).CopyTo(onBox.AsSpan(sx * (y + sy * z), sx));
        });
    }
}
