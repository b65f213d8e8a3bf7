namespace Dcdm.Solvers;

/// <summary>The box a solver ran on: its origin and size inside a grid of <paramref name="Grid"/>'s size.</summary>
internal readonly record struct CroppedBox((int X, int Y, int Z) Grid, (int X, int Y, int Z) Origin, (int X, int Y, int Z) Size)
{
    public long Cells => (long)Size.X * Size.Y * Size.Z;
}
