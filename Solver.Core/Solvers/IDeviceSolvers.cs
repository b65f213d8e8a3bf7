using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Preconditioners;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// The kinds of solver an accelerator has (Dcdm.Gpu implements it). Which kind serves a method on an input is the
/// method's entry in <see cref="SolverCatalog"/>'s table, so a method with a device form is still one entry there; a
/// device adds a kind here only for a new kind of device solver. Vectors of what it returns are in the layout the
/// solver runs in (the grid's, for grid solvers).
/// </summary>
public interface IDeviceSolvers
{
    /// <summary>The accelerator, for people.</summary>
    string Name { get; }

    /// <summary>CG on any SPD matrix (CSR, double), unpreconditioned or with Jacobi.</summary>
    ILinearSolver ConjugateGradient(CsrMatrix matrix, PreconditionerKind preconditioner, SolverOptions options);

    /// <summary>Matrix-free CG on a grid's unit operator (one byte of operator per cell, float32 steps, double reliable updates).</summary>
    ILinearSolver GridConjugateGradient(PoissonGrid grid, SolverOptions options);

    /// <summary>CG preconditioned by the K-cycle on aggregates, on a grid's unit operator.</summary>
    ILinearSolver MultigridConjugateGradient(PoissonGrid grid, SolverOptions options);

    /// <summary>CG preconditioned by the K-cycle on aggregates, on a voxel operator's cells.</summary>
    ILinearSolver MultigridConjugateGradient(VoxelOperator op, SolverOptions options);

    /// <summary>DCDM with the model's device direction on a grid; null with the reason when the model has no device kernels.</summary>
    ILinearSolver? DeepConjugateDirections(PoissonGrid grid, IDirectionModel model, SolverOptions options, int previousDirections, out string reason);

    /// <summary>DCDM on a voxel operator's cells with its K-cycle as the direction; null with the reason for another model.</summary>
    ILinearSolver? DeepConjugateDirections(VoxelOperator op, IDirectionModel model, SolverOptions options, int previousDirections, out string reason);
}
