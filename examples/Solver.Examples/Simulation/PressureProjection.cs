using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Simulation;

/// <summary>
/// Makes a MAC velocity divergence-free on a domain: A p = -div u with A the domain's 7-point operator (solid cells
/// and the grid boundary Neumann, air cells p = 0), then u -= grad p. The solve starts from the last step's pressure.
/// </summary>
public sealed class PressureProjection
{
    readonly PressureSolver _solver;
    readonly double[] _b, _p, _after;

    public PressureProjection(PressureSolver solver, int cellCount)
    {
        _solver = solver;
        _b = new double[cellCount]; _p = new double[cellCount]; _after = new double[cellCount];
    }

    /// <summary>The last projection's right-hand side, -div u (one value per cell, 0 off the fluid).</summary>
    public ReadOnlySpan<double> RightHandSide => _b;
    /// <summary>The last projection's pressure (scaled by dt / (rho h^2); 0 off the fluid).</summary>
    public ReadOnlySpan<double> Pressure => _p;

    public SimulationStep Project(int step, double dt, PoissonGrid domain, MacVelocity velocity, CancellationToken cancellation)
    {
        // the solver follows the domain: a set-up when the flags changed, nothing when they did not
        _solver.Bind(domain);
        return Project(step, dt, domain.FluidCount, b => velocity.NegativeDivergence(domain, b), p => velocity.SubtractPressureGradient(domain, p), cancellation);
    }

    /// <summary>The variational projection of cut cells: A = D^T F D with the open fractions F as face coefficients, b = -D^T F u.</summary>
    public SimulationStep Project(int step, double dt, FaceFractions fractions, MacVelocity velocity, CancellationToken cancellation)
    {
        _solver.Bind(fractions.Operator); // the same fractions every step: set up once
        return Project(step, dt, fractions.Domain.FluidCount, b => fractions.NegativeDivergence(velocity, b), p => fractions.SubtractPressureGradient(velocity, p),
            cancellation);
    }

    SimulationStep Project(int step, double dt, int unknowns, Func<double[], double> negativeDivergence, Action<double[]> subtractGradient, CancellationToken cancellation)
    {
        double before = negativeDivergence(_b);
        // A p = b, warm-started from the last step's p
        var result = _solver.Solve(_b, _p, SolveSettings.FromGuess, cancellation);
        // u -= grad p, then the divergence left, measured on the velocities themselves
        subtractGradient(_p);
        double after = negativeDivergence(_after);
        return new SimulationStep
        {
            Step = step, TimeStep = dt, FluidCells = unknowns, Solve = result, BindTime = _solver.BindTime, Rebuilt = _solver.Rebuilt,
            DivergenceBefore = before, DivergenceAfter = after,
        };
    }
}
