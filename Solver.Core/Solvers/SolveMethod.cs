namespace Dcdm.Solvers;

/// <summary>The methods dcdm solves with; <see cref="SolverCatalog"/> says which solver serves each.</summary>
public enum SolveMethod
{
    /// <summary>Conjugate gradients, any SPD matrix.</summary>
    Cg,
    /// <summary>CG with diagonal scaling, any SPD matrix.</summary>
    PcgJacobi,
    /// <summary>CG with IC(0), any SPD matrix, CPU only (its triangular solves are sequential).</summary>
    PcgIc0,
    /// <summary>CG with a geometric multigrid V-cycle: a 7-point voxel Poisson operator with its grid.</summary>
    PcgMg,
    /// <summary>Learned conjugate directions: a 7-point voxel Poisson operator with its grid, and a direction model.</summary>
    Dcdm,
}
