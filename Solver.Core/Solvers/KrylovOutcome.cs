namespace Dcdm.Solvers;

/// <summary>How a Krylov loop ended, before the solver wraps it into a <see cref="SolveResult"/>.</summary>
public readonly record struct KrylovOutcome(SolveStatus Status, int Iterations, double RelativeResidual, string Message, int ResidualReplacements);
