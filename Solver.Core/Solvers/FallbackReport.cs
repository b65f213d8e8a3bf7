namespace Dcdm.Solvers;

/// <summary>A solve whose own loop stalled and a classical method finished: which, why, and the iterations of each phase.</summary>
/// <param name="Method">What finished the solve, e.g. "pcg-mg".</param>
/// <param name="Reason">Why the first loop stopped, in words.</param>
/// <param name="AfterIterations">The iterations of the first loop (DCDM's).</param>
/// <param name="Iterations">The fallback's iterations; the result's Iterations is the sum.</param>
public sealed record FallbackReport(string Method, string Reason, int AfterIterations, int Iterations);
