using Dcdm.Multigrid;

namespace Dcdm.Solvers;

/// <summary>
/// The power of two a b far from 1 is solved at (<see cref="SolveFrame"/>): b / 2^e, its largest entry in [1, 2), and
/// x scaled back by 2^e. Unscaled, b's squares under- or overflow double: b ~ 1e-200 reads as zero ("x = 0"), b ~ 1e-160
/// converges to a residual that underflowed to 0, b ~ 1e+160 reads as holding infinity. Powers of two act on the
/// exponents alone, so the scaled solve is the unscaled one's, bit for bit, wherever that one stays in range.
/// </summary>
internal static class RightHandSideScale
{
    /// <summary>A prepared b whose norm lies within 2^+-this is solved as it is (the loops' squares stay far inside
    /// double's range, and a device's float steps inside float's); the reach of <see cref="ScaledOperatorSolver"/> too.</summary>
    internal const int Reach = ScaledOperatorSolver.Reach;

    /// <summary>The result's detail that says b was scaled (and how); wrappers that add their own share of b's norms read it.</summary>
    internal const string Detail = "b scale";

    /// <summary>
    /// e for the prepared b (on the unknowns), whose norm is <paramref name="bNorm"/>: 0 where that lies within
    /// 2^+-<see cref="Reach"/>, where b is zero, or where it holds NaN or infinity (the frame's early exits judge those);
    /// else the exponent of b's largest entry. Reads b only when its norm is out of reach.
    /// </summary>
    public static int Of(ReadOnlySpan<double> b, double bNorm) =>
        bNorm >= Math.ScaleB(1.0, -Reach) && bNorm <= Math.ScaleB(1.0, Reach) ? 0 : ExponentOf(b);

    /// <summary>The exponent of v's largest entry; 0 where v is zero or holds NaN or infinity.</summary>
    public static int ExponentOf(ReadOnlySpan<double> v)
    {
        double largest = FineLevelCopies.LargestMagnitude(v);
        return largest > 0 && double.IsFinite(largest) ? Math.ILogB(largest) : 0;
    }

    /// <summary>
    /// A solve's status and message once its x, solved times a power of two, is scaled back: NotANumber where x overflows
    /// double and the solve said Converged or MaxIterations (the residual said was of the scaled x, not of x); a note
    /// where x fell below double's normal range (to 0 entirely, too); else as they were.
    /// </summary>
    /// <param name="solved">The scaled x's largest entry; <paramref name="largest"/>: x's, scaled back.</param>
    /// <param name="scaledBy">What x was scaled by, for the message (b's power of two, the operator's).</param>
    public static (SolveStatus Status, string Message) ScaledBack(SolveStatus status, string message, double solved, double largest, string scaledBy)
    {
        if (!double.IsFinite(largest) && status is SolveStatus.Converged or SolveStatus.MaxIterations)
            return (SolveStatus.NotANumber, $"{message}; but x overflows double as it is scaled back ({scaledBy}): its solution lies past double's range; scale b down");
        if (solved > 0 && double.IsFinite(largest) && !double.IsNormal(largest))
            return (status, $"{message}; x lies below double's normal range (its largest entry {largest:g3}{(largest == 0 ? ": every entry underflowed to 0" : "")}) "
                + "and keeps fewer digits than its residual says; scale b up");
        return (status, message);
    }

    /// <summary>v times 2^<paramref name="exponent"/>, in place.</summary>
    public static void Apply(Span<double> v, int exponent)
    {
        for (int i = 0; i < v.Length; i++) v[i] = Math.ScaleB(v[i], exponent);
    }

    /// <summary>b times 2^-<paramref name="exponent"/>, a new vector (the caller's b is read-only).</summary>
    public static double[] Scaled(ReadOnlySpan<double> b, int exponent)
    {
        var scaled = b.ToArray();
        Apply(scaled, -exponent);
        return scaled;
    }
}
