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
    public static int Of(ReadOnlySpan<double> b, double bNorm)
    {
        if (bNorm >= Math.ScaleB(1.0, -Reach) && bNorm <= Math.ScaleB(1.0, Reach)) return 0;
        double largest = Largest(b);
        return largest > 0 && double.IsFinite(largest) ? Math.ILogB(largest) : 0;
    }

    /// <summary>The largest |v_i|; NaN where v holds NaN.</summary>
    public static double Largest(ReadOnlySpan<double> v)
    {
        double largest = 0;
        foreach (double value in v) largest = double.IsNaN(value) ? double.NaN : Math.Max(largest, Math.Abs(value));
        return largest;
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
