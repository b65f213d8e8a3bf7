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
public sealed class KCycleDirectionModel(double relaxation = AggregateMultigrid.DefaultRelaxation, int sweeps = 2) : IDirectionModel
{
    public const string ArchitectureName = "kcycle";

    /// <summary>The fine sweeps' SOR weight.</summary>
    public double Relaxation => relaxation;
    /// <summary>Sweeps before and after each coarse correction.</summary>
    public int Sweeps => sweeps;

    public string Description => string.Create(CultureInfo.InvariantCulture, $"kcycle (classical), SOR weight {relaxation:0.###}, {sweeps} sweeps");

    /// <summary>The K-cycle of a voxel operator with per-face coefficients on its unknowns (its fine sweeps Gauss-Seidel in double; <see cref="AggregateMultigrid"/>).</summary>
    public IDirection Bind(VoxelOperator op, Solvers.ReducedSystem unknowns) => new KCycleDirection(new AggregateMultigrid(op, unknowns, sweeps));

    public IDirection Bind(PoissonGrid grid) => KCycleDirection.For(grid, sweeps, relaxation, weights: null);
}
