using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A solver set up on the full grid serving vectors in the compact layout (one entry per fluid cell). Where its loop
/// runs on its unknowns and they are the fluid cells, in order (no isolated fluid cell), the compact vectors are its
/// own and go to it as they are (<see cref="IUnknownsSolver"/>): a 128^3 tank's solve spent about 7% on the two hops
/// (compact to the grid, the grid to the unknowns, and back). Otherwise b is scattered to the grid and x gathered back
/// through buffers made once, in parallel chunks on long vectors.
/// </summary>
internal sealed class CompactGridSolver : ILinearSolver
{
    readonly ILinearSolver _onGrid;
    readonly IUnknownsSolver? _onUnknowns;
    readonly int[] _fluid;
    readonly double[]? _b, _x; // the grid's vectors, where the compact ones are not the solver's unknowns

    public CompactGridSolver(ILinearSolver onGrid, PoissonGrid grid)
    {
        _onGrid = onGrid;
        _fluid = grid.FluidCells;
        _onUnknowns = onGrid is IUnknownsSolver { Frame.RunsOnUnknowns: true } solver && TheFluidCells(solver.Frame.UnknownRows, grid) ? solver : null;
        if (_onUnknowns is null) (_b, _x) = (RebindCache.Array<double>(grid.CellCount), RebindCache.Array<double>(grid.CellCount));
    }

    /// <summary>Whether a solver's unknowns (their cells; null: every cell) are the grid's fluid cells, in order.</summary>
    static bool TheFluidCells(int[]? unknownCells, PoissonGrid grid) =>
        unknownCells is null ? grid.FluidCount == grid.CellCount
            : ReferenceEquals(unknownCells, grid.FluidCells) || unknownCells.AsSpan().SequenceEqual(grid.FluidCells);

    /// <summary>Whether the compact vectors go to the solver as its own (its unknowns are the fluid cells).</summary>
    internal bool TakesItsUnknowns => _onUnknowns is not null;

    public string Method => _onGrid.Method;
    public int Size => _fluid.Length;
    public TimeSpan SetupTime => _onGrid.SetupTime;

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per fluid cell), got {b.Length} and {x.Length}");
        if (_onUnknowns is not null) return _onUnknowns.Run(_onUnknowns.Frame.OnItsUnknowns(), b, x, settings, cancellation);
        var (fluid, gridB, gridX) = (_fluid, _b!, _x!);
        SolveResult result;
        unsafe
        {
            fixed (double* pb = b, px = x)
            {
                var (ab, ax) = ((nint)pb, (nint)px);
                VectorOps.ParallelChunks(fluid.Length, (from, to) =>
                {
                    for (int k = from; k < to; k++) { gridB[fluid[k]] = ((double*)ab)[k]; gridX[fluid[k]] = ((double*)ax)[k]; }
                });
                result = _onGrid.Solve(gridB, gridX, settings, cancellation);
                VectorOps.ParallelChunks(fluid.Length, (from, to) =>
                {
                    for (int k = from; k < to; k++) ((double*)ax)[k] = gridX[fluid[k]];
                });
            }
        }
        return result;
    }

    public void Dispose() => _onGrid.Dispose();
}
