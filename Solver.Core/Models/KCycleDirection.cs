using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// A direction from <see cref="AggregateMultigrid"/>'s K-cycle (the engine pcg-mg runs), its fine sweeps relaxed with
/// a model's weights: q = K(r) in double. It varies a little from call to call (the K-cycle's inner steps), which DCDM's
/// A-orthogonalisation of every direction absorbs. Allocates nothing per direction.
/// </summary>
internal sealed class KCycleDirection : IDirection, IDirectionOnUnknowns
{
    readonly AggregateMultigrid _cycle;
    double[]? _r, _q; // the full-grid float path's unknowns, made at its first use (DCDM takes the other path)

    public KCycleDirection(AggregateMultigrid cycle) => _cycle = cycle;

    /// <summary>The cycle the directions come from (a stalled DCDM's fallback CG runs it too).</summary>
    internal AggregateMultigrid Cycle => _cycle;

    /// <summary>The K-cycle of a grid's unknowns (the cells with a diagonal), fine sweeps SOR with a constant weight or per-cell weights.</summary>
    /// <remarks>P's entries next to air are <see cref="AggregateMultigrid.SurfaceProlongation"/>, as the device's cycle.</remarks>
    public static KCycleDirection For(PoissonGrid grid, int sweeps, double relaxation, float[][]? weights)
    {
        var shape = ProlongationShape.AtTheSurface(grid, AggregateMultigrid.SurfaceProlongation);
        var unknowns = grid.UnknownCells; // the grid's own list, made once for the unknowns' numbering too
        return new KCycleDirection(new AggregateMultigrid(grid, unknowns.Length == grid.CellCount ? null : unknowns, sweeps,
            AggregateMultigrid.DefaultGalerkinScale, relaxation, weights, shape));
    }

    public void Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        var cells = _cycle.UnknownCells;
        _r ??= new double[cells.Length];
        _q ??= new double[cells.Length];
        for (int k = 0; k < cells.Length; k++) _r[k] = r[cells[k]]; // all of r is read before q is written
        _cycle.Apply(_r, 1, _q);
        q.Clear();
        for (int k = 0; k < cells.Length; k++) q[cells[k]] = (float)_q[k];
    }

    public void Apply(ReadOnlySpan<double> r, double scale, int[]? active, Span<double> q)
    {
        int unknowns = _cycle.UnknownCells.Length;
        if (r.Length != unknowns && r.Length != _cycle.CellCount)
            throw new ArgumentException($"r has {r.Length} entries; this direction was bound to a grid with {unknowns} unknowns and {_cycle.CellCount} cells");
        _cycle.Apply(r, scale, q);
    }
}
