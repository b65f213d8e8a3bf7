namespace Dcdm.Solvers;

/// <summary>
/// The solvers an accelerator offers (Dcdm.Gpu implements it): each method on each input, or the reason it
/// cannot. Vectors of what it returns are in the layout the solver runs in (the grid's, for grid solvers).
/// </summary>
public interface IDeviceSolvers
{
    /// <summary>The accelerator, for people.</summary>
    string Name { get; }

    /// <summary>The solver for the method and input, or null with the reason (a line naming what applies instead).</summary>
    ILinearSolver? Create(SolveMethod method, SolverInput input, SolverOptions options, Models.IDirectionModel? model, int previousDirections, out string reason);
}
