using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// What CG step k of the grid kernels does, read from the device scalars by every thread: Alpha, the previous
/// step's alpha (owed to d); Beta for p_k = r_k + beta p_{k-1}; Owed, whether d += alpha p_{k-1} is due (not at
/// a segment's first step); Advance, whether step k itself runs (r_k.r_k above the stop). A kernel with
/// neither owed nor advance does nothing.
/// </summary>
readonly struct StepCoefficients(float alpha, float beta, bool owed, bool advance)
{
    public readonly float Alpha = alpha, Beta = beta;
    public readonly bool Owed = owed, Advance = advance;
    public bool Idle => !Owed && !Advance;

    static StepCoefficients Stopped => new(0f, 0f, false, false);

    /// <summary>
    /// alpha_{k-1} = rr[k-1] / pq[k-1], beta = rr[k] / rr[k-1]. A stopped step k-1 (rr[k-1] at the stop, or p.Ap
    /// not &gt; 0) stops everything after it. At a segment's first step nothing is owed, and beta is 0 for a
    /// restart, else rr[k] / rr[k-1] as the host set them after a reliable update.
    /// </summary>
    public static StepCoefficients Of(ArrayView<double> rr, ArrayView<double> pq, CgStep step)
    {
        int k = step.K;
        double rrk = rr[k];
        if (k > step.First)
        {
            double rrPrevious = rr[k - 1], pqPrevious = pq[k - 1];
            if (!(rrPrevious > step.Stop && pqPrevious > 0)) return Stopped;
            return new((float)(rrPrevious / pqPrevious), (float)(rrk / rrPrevious), true, rrk > step.Stop);
        }
        return new(0f, step.Restart == 0 ? (float)(rrk / rr[k - 1]) : 0f, false, rrk > step.Stop);
    }
}
