using Dcdm.Multigrid;
using Dcdm.Preconditioners;

namespace Dcdm.Tests.Reference;

/// <summary>
/// One geometric multigrid V-cycle as the preconditioner of CG for a voxel Poisson grid (McAdams, Sifakis and
/// Teran 2010, simplified): coarse cells from 2x2x2 blocks (air wins, then fluid), coarse operators rediscretised
/// (the 7-point Laplacian of each level, times 4^-l), red-black Gauss-Seidel smoothing (red then black before the
/// coarse correction, black then red after it), trilinear prolongation P with restriction R = P^T / 8, and
/// symmetric Gauss-Seidel sweeps from zero on the coarsest level. Every piece is linear and R is P^T up to a factor, so the cycle is a fixed
/// symmetric positive-definite operator: CG stays CG. Vectors here are on the unknowns of the grid
/// (<see cref="ReducedSystem.FromGrid"/>); the cycle runs on the full grid of each level in double.
/// Set-up (levels, their flags and work vectors) runs once; a cycle allocates nothing.
/// </summary>
sealed class MultigridPreconditioner : IPreconditioner
{
    readonly MultigridLevel[] _levels;
    readonly int[] _unknownCells;
    readonly int _sweeps, _coarsestSweeps;

    /// <summary>Levels made (finest first): the coarsening stops when the largest size is at most 4 or the next level would have no unknowns.</summary>
    public int LevelCount => _levels.Length;

    /// <param name="unknowns">The grid's unknowns (their cell of each compact index), e.g. <see cref="ReducedSystem.FromGrid"/>.</param>
    /// <param name="sweeps">Red-black Gauss-Seidel sweeps before and after each coarse correction (3 by default: a
    /// trade between a cycle's cost and the iterations; scripts/mg-table.sh measures the result).</param>
    /// <param name="coarsestSweeps">Symmetric sweeps from zero on the coarsest level: 4^3 cells or fewer, or an earlier
    /// level when the next would have no unknowns (a fluid layer one cell thin under air).</param>
    public MultigridPreconditioner(PoissonGrid grid, ReducedSystem unknowns, int sweeps = 3, int coarsestSweeps = 20)
    {
        if (unknowns.FullSize != grid.CellCount)
            throw new ArgumentException($"the unknowns are those of a {unknowns.FullSize}-row system, the grid has {grid.CellCount} cells; build them with ReducedSystem.FromGrid");
        if (sweeps < 1) throw new ArgumentOutOfRangeException(nameof(sweeps), $"at least one smoothing sweep, got {sweeps}");
        _unknownCells = unknowns.Active ?? Enumerable.Range(0, grid.CellCount).ToArray();
        _sweeps = sweeps;
        _coarsestSweeps = coarsestSweeps;
        _levels = MultigridLevel.Hierarchy(grid);
    }

    /// <summary>z = M^-1 r: one V-cycle from zero on r (both on the unknowns).</summary>
    public void Apply(ReadOnlySpan<double> r, Span<double> z)
    {
        var fine = _levels[0];
        var cells = _unknownCells;
        for (int k = 0; k < cells.Length; k++) fine.B[cells[k]] = r[k];
        Cycle(0);
        for (int k = 0; k < cells.Length; k++) z[k] = fine.X[cells[k]];
    }

    /// <summary>X = V-cycle approximation of A^-1 B on level l, from X = 0.</summary>
    void Cycle(int l)
    {
        var level = _levels[l];
        if (l == _levels.Length - 1)
        {
            // symmetric sweeps from zero: forward then backward, a symmetric operator however many
            Array.Clear(level.X);
            for (int s = 0; s < _coarsestSweeps; s++)
            {
                Smooth(level, 1, fromZero: false);
                Smooth(level, 1, fromZero: false, backward: true);
            }
            return;
        }
        Smooth(level, _sweeps);
        LevelOps.Residual(level); // Work = B - A X
        var coarse = _levels[l + 1];
        LevelOps.Restrict(level, coarse); // coarse.B = P^T Work / 8
        Cycle(l + 1);
        LevelOps.ProlongAdd(coarse, level); // X += P coarse.X
        Smooth(level, _sweeps, fromZero: false, backward: true);
    }

    /// <summary>
    /// Red-black Gauss-Seidel sweeps: before the coarse correction red then black, after it black then red, so the
    /// cycle is symmetric; from X = 0 unless told otherwise.
    /// </summary>
    static void Smooth(MultigridLevel level, int sweeps, bool fromZero = true, bool backward = false)
    {
        if (fromZero) Array.Clear(level.X);
        for (int s = 0; s < sweeps; s++)
        {
            LevelOps.GaussSeidelColour(level, backward ? 1 : 0);
            LevelOps.GaussSeidelColour(level, backward ? 0 : 1);
        }
    }
}
