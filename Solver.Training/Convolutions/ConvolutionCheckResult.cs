namespace Dcdm.Training.Convolutions;

/// <summary>
/// The outcome of <see cref="ConvolutionSelfCheck"/>: the largest error of libtorch's values (forward, input gradient,
/// weight gradient, and a repeat of each) against plain loops, relative to the largest reference value, and each
/// quantity that broke the tolerance or was not finite.
/// </summary>
public sealed record ConvolutionCheckResult(string Device, double Tolerance, double MaxRelativeError, IReadOnlyList<string> Failures, TimeSpan Elapsed)
{
    public bool Passed => Failures.Count == 0;

    /// <summary>One line: passed with the worst error, or the first failure and how many more.</summary>
    public string Summary => Passed
        ? $"libtorch convolutions on {Device} agree with plain loops (worst relative error {MaxRelativeError:G2}, tolerance {Tolerance:G2}, {Elapsed.TotalMilliseconds:F0} ms)"
        : $"libtorch convolutions on {Device} disagree with plain loops: {Failures[0]}"
          + (Failures.Count > 1 ? $" (and {Failures.Count - 1} more)" : "");
}
