namespace Dcdm.Solvers;

/// <summary>What a monitor sees once per iteration: the iteration number and the relative residual (recurrence estimate).</summary>
public readonly record struct IterationInfo(int Iteration, double RelativeResidual);
