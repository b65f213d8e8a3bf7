using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// A solver that runs on the full grid serving vectors in the compact layout (one entry per fluid cell): b is
/// scattered to the grid and x gathered back through buffers made once.
/// </summary>
internal sealed class CompactGridSolver(ILinearSolver onGrid, PoissonGrid grid) : ILinearSolver
{
    readonly double[] _b = RebindCache.Array<double>(grid.CellCount), _x = RebindCache.Array<double>(grid.CellCount);
    readonly int[] _fluid = grid.FluidCells;

    public string Method => onGrid.Method;
    public int Size => _fluid.Length;
    public TimeSpan SetupTime => onGrid.SetupTime;

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per fluid cell), got {b.Length} and {x.Length}");
        for (int k = 0; k < _fluid.Length; k++) { _b[_fluid[k]] = b[k]; _x[_fluid[k]] = x[k]; }
        var result = onGrid.Solve(_b, _x, settings, cancellation);
        for (int k = 0; k < _fluid.Length; k++) x[k] = _x[_fluid[k]];
        return result;
    }

    public void Dispose() => onGrid.Dispose();
}
