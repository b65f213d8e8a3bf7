using System.Globalization;

namespace Dcdm.Solvers;

/// <summary>
/// When DCDM hands a solve to its fallback: the best residual of the last <see cref="Window"/> iterations is not
/// <see cref="Factor"/> times below the best before them. DCDM's residual is not monotone (each step minimises the
/// error's A-norm along q), so progress is judged by best residuals, not by the last one against an earlier one.
/// </summary>
public sealed record StallTest
{
    public int Window { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Window), $"window {value} must be >= 1"); } = 20;
    public double Factor { get; init => field = value >= 1 ? value : throw new ArgumentOutOfRangeException(nameof(Factor), $"factor {value} must be >= 1"); } = 2;

    /// <summary>20 iterations, 2x.</summary>
    public static StallTest Default { get; } = new();

    /// <summary>Whether the relative residuals so far (entry 0 the initial one) have stalled.</summary>
    public bool IsStalled(IReadOnlyList<double> history)
    {
        int k = history.Count - 1;
        if (k < Window) return false;
        double bestBefore = double.MaxValue, bestRecent = double.MaxValue;
        for (int i = 0; i <= k - Window; i++) bestBefore = Math.Min(bestBefore, history[i]);
        for (int i = k - Window + 1; i <= k; i++) bestRecent = Math.Min(bestRecent, history[i]);
        return bestRecent * Factor > bestBefore;
    }

    /// <summary>Why a solve left DCDM at <paramref name="iteration"/>, for its details.</summary>
    public string Describe(int iteration) => string.Create(CultureInfo.InvariantCulture,
        $"the best residual of the last {Window} iterations was not {Factor:g}x below the best before them, at iteration {iteration}");
}
