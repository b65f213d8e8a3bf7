using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>What a CPU solver is made with besides its system: the options, and dcdm's model and k.</summary>
internal sealed record MethodArguments(SolverOptions Options, IDirectionModel? Model, int PreviousDirections);

/// <summary>
/// One method as <see cref="SolverCatalog"/> serves it: the name users type, a factory per kind of input on the CPU, and
/// which of a device's solvers serves it there. Registering a method is one entry in <see cref="SolverCatalog"/>'s table.
/// </summary>
/// <param name="ForMatrix">Any SPD matrix; null: the method needs a voxel system (a grid or a <see cref="VoxelOperator"/>).</param>
/// <param name="ForGrid">A grid's unit operator, vectors one per cell; the matrix is its compact operator when the caller has it.</param>
/// <param name="ForOperator">A voxel operator with per-face coefficients, vectors one per cell; the matrix is its own when the caller has it, full-grid or compact.</param>
/// <param name="OnDevice">The device's solver for the input (the catalog checked it), or null and the reason it has none.</param>
internal sealed record MethodEntry(
    SolveMethod Method,
    string Name,
    Func<CsrMatrix, MethodArguments, ILinearSolver>? ForMatrix,
    Func<PoissonGrid, CsrMatrix?, MethodArguments, ILinearSolver> ForGrid,
    Func<VoxelOperator, OperatorMatrix?, MethodArguments, ILinearSolver> ForOperator,
    Func<IDeviceSolvers, SolverInput, MethodArguments, (ILinearSolver? Solver, string Reason)> OnDevice)
{
    public bool NeedsVoxelSystem => ForMatrix is null;

    /// <summary>On a device, the method runs the grid's own operator (matrix-free) when a grid comes with the matrix, so the
    /// catalog checks the matrix against that grid there too.</summary>
    public bool DeviceRunsTheGrid { get; init; }

    /// <summary>CG with a preconditioner made from the matrix alone, on every kind of input.</summary>
    public static MethodEntry Krylov(SolveMethod method, string name, PreconditionerKind preconditioner,
        Func<IDeviceSolvers, SolverInput, MethodArguments, (ILinearSolver?, string)> onDevice) => new(method, name,
        (matrix, a) => new ConjugateGradient(matrix, preconditioner, a.Options),
        (grid, compact, a) => new ConjugateGradient(ReducedSystem.FromGrid(grid, compact), preconditioner, a.Options),
        (op, matrix, a) => new ConjugateGradient(matrix is { OnFluidCells: false } full ? full.Matrix : op.ToCsr(), preconditioner, a.Options), // vectors one per cell
        onDevice);
}
