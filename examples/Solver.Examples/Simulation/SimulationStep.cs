using Dcdm.Solvers;

namespace Dcdm.Simulation;

/// <summary>What one time step of a simulation did, for its per-step table.</summary>
public sealed record SimulationStep
{
    /// <summary>Step number, from 0.</summary>
    public required int Step { get; init; }
    /// <summary>The step's dt in seconds (CFL-limited).</summary>
    public required double TimeStep { get; init; }
    /// <summary>Fluid cells: the pressure system's unknowns.</summary>
    public required int FluidCells { get; init; }
    /// <summary>The pressure solve (iterations, status, the method's set-up and solve times).</summary>
    public required SolveResult Solve { get; init; }
    /// <summary>The solver's re-bind to this step's domain (a set-up when the flags changed, a comparison otherwise).</summary>
    public required TimeSpan BindTime { get; init; }
    /// <summary>Whether this step's domain made the solver set up again.</summary>
    public required bool Rebuilt { get; init; }
    /// <summary>||div u|| (L2 over the fluid cells) before the projection.</summary>
    public required double DivergenceBefore { get; init; }
    /// <summary>||div u|| (L2 over the fluid cells) after it, recomputed from the projected velocities.</summary>
    public required double DivergenceAfter { get; init; }

    /// <summary>DivergenceAfter / DivergenceBefore (0 when there was nothing to remove).</summary>
    public double RelativeDivergence => DivergenceBefore > 0 ? DivergenceAfter / DivergenceBefore : 0;
}
