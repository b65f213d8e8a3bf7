using System.Globalization;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// The classical direction: pcg-mg's K-cycle (<see cref="AggregateMultigrid"/>) with one constant SOR weight on the
/// fine sweeps, nothing learned. DCDM with it is the ablation beside a learned model: the same cycle, the same
/// iteration, weights that no network predicted (w = 1: the learned model before training). It is dcdm's default (CPU and
/// device) because the shipped vcycle model's learned weights do not beat it (docs/benchmarks.md, the ablation).
/// </summary>
/// <param name="sweeps">Sweeps before and after each coarse correction; null: <see cref="AggregateMultigrid.GridSweeps"/> on a
/// grid and <see cref="AggregateMultigrid.OperatorSweeps"/> on a voxel operator's cells (its coarse levels: at most
/// <see cref="AggregateMultigrid.OperatorCoarseSweeps"/>).</param>
public sealed class KCycleDirectionModel(double relaxation = AggregateMultigrid.DefaultRelaxation, int? sweeps = null) : IDirectionModel
{
    public const string ArchitectureName = "kcycle";

    /// <summary>The fine sweeps' SOR weight.</summary>
    public double Relaxation => relaxation;
    /// <summary>Sweeps before and after each coarse correction on a grid.</summary>
    public int GridSweeps => sweeps ?? AggregateMultigrid.GridSweeps;
    /// <summary>Sweeps before and after each coarse correction on a voxel operator's cells.</summary>
    public int OperatorSweeps => sweeps ?? AggregateMultigrid.OperatorSweeps;
    /// <summary>Sweeps on the coarse levels above a voxel operator's cells (<see cref="AggregateMultigrid.OperatorCoarseSweeps"/>, or fewer with fewer on the cells).</summary>
    public int OperatorCoarseSweeps => AggregateMultigrid.CoarseSweepsOnFaces(OperatorSweeps);

    public string Description => string.Create(CultureInfo.InvariantCulture, $"kcycle (classical), SOR weight {relaxation:0.###}, ")
        + (GridSweeps == OperatorSweeps ? $"{GridSweeps} sweeps" : $"{GridSweeps} sweeps ({OperatorSweeps} on per-face coefficients)");

    /// <summary>The model as it runs on a voxel operator's cells: their Gauss-Seidel takes no SOR weight (the weight was
    /// chosen on grids' sweeps), so this says so instead of naming the grid's weight.</summary>
    public string DescriptionOnFaces => string.Create(CultureInfo.InvariantCulture, $"kcycle (classical), Gauss-Seidel without an SOR weight on per-face coefficients, ")
        + (OperatorCoarseSweeps == OperatorSweeps ? $"{OperatorSweeps} sweeps" : $"{OperatorSweeps} sweeps on the cells, {OperatorCoarseSweeps} on the coarse levels");

    /// <summary>Why another model does not run on a voxel operator with per-face coefficients, for the refusals.</summary>
    internal static string RefusalOnFaces(IDirectionModel model) => $"the model '{model.Description}' reads cell flags, not face coefficients; DCDM on a "
        + "voxel operator with per-face coefficients takes the K-cycle (KCycleDirectionModel, the default)";

    /// <summary>The K-cycle of a voxel operator with per-face coefficients on its unknowns (its fine sweeps Gauss-Seidel on the faces; <see cref="AggregateMultigrid"/>).</summary>
    public IDirection Bind(VoxelOperator op, Solvers.ReducedSystem unknowns) => new KCycleDirection(new AggregateMultigrid(op, unknowns, OperatorSweeps));

    public IDirection Bind(PoissonGrid grid) => KCycleDirection.For(grid, GridSweeps, relaxation, weights: null);
}
