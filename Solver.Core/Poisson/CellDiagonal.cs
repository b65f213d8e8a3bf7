namespace Dcdm.Poisson;

/// <summary>The 7-point operator's diagonal per cell as one byte: the matrix-free kernels' whole operator.</summary>
public static class CellDiagonal
{
    /// <summary>
    /// Per cell its diagonal (open neighbours: face neighbours inside the grid that are not solid) when it is an unknown, else 0. An isolated fluid cell (no open
    /// neighbour) is a zero row, not an unknown, so every vector stays 0 there too. A copy of the grid's own, which it
    /// makes once (with its unknowns and surface cells) and this library's set-ups read without copying.
    /// </summary>
    public static byte[] Of(PoissonGrid grid) => [.. grid.Diagonal];
}
