using Dcdm.Multigrid;

namespace Dcdm.Tests.Reference;

/// <summary>
/// The reference (double, plain loops) of the geometric V-cycle's kernels: one level of the hierarchy of
/// <see cref="GeometricGrids"/>: the 7-point operator as one byte per cell (the
/// diagonal of an unknown, 0 elsewhere) times <see cref="Scale"/>, and its work vectors, all on the full grid of
/// the level and 0 off its unknowns. Level l's operator is the level's own 7-point Laplacian times 4^-l: the same
/// continuous operator in the finest level's units (h grows 2x a level, the unscaled stencil 4x).
/// </summary>
sealed class MultigridLevel
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Cells => Nx * Ny * Nz;
    public int Index(int x, int y, int z) => x + Nx * (y + Ny * z);
    /// <summary>Per cell: open neighbours of an unknown, else 0.</summary>
    public byte[] Diagonal { get; }
    public double Scale { get; }
    /// <summary>The level's right-hand side, correction and residual.</summary>
    public double[] B { get; }
    public double[] X { get; }
    public double[] Work { get; }

    public MultigridLevel(PoissonGrid grid, double scale) : this(grid, CellDiagonal.Of(grid), scale) { }

    /// <param name="diagonal">The grid's <see cref="CellDiagonal.Of"/>, when the caller has it.</param>
    public MultigridLevel(PoissonGrid grid, byte[] diagonal, double scale)
    {
        (Nx, Ny, Nz) = (grid.Nx, grid.Ny, grid.Nz);
        Diagonal = diagonal;
        Scale = scale;
        B = new double[Cells]; X = new double[Cells]; Work = new double[Cells];
    }

    /// <summary>The levels of a grid, finest first, level l scaled 4^-l.</summary>
    public static MultigridLevel[] Hierarchy(PoissonGrid grid) => [.. GeometricGrids.Of(grid).Select((g, l) => new MultigridLevel(g.Grid, g.Diagonal, Math.Pow(4, -l)))];
}
