namespace Dcdm.Solvers;

/// <summary>A matrix the solver refuses before solving (not square, not symmetric), with the reason.</summary>
public sealed class InvalidSystemException(string message) : Exception(message);
