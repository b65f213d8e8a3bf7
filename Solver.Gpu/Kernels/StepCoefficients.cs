using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// What CG step k of a grid kernel does, read from the device scalars by every thread: Alpha, the previous
/// step's alpha (owed to d, and in the merged step also applied to r); Beta for p_k = r_k + beta p_{k-1};
/// Owed, whether d += alpha p_{k-1} is due (not at a segment's first step); Advance, whether step k itself
/// runs (r_k.r_k above the stop). A kernel with neither owed nor advance does nothing.
/// </summary>
readonly struct StepCoefficients(float alpha, float beta, bool owed, bool advance)
{
    public readonly float Alpha = alpha, Beta = beta;
    public readonly bool Owed = owed, Advance = advance;
    public bool Idle => !Owed && !Advance;

    static StepCoefficients Stopped => new(0f, 0f, false, false);

    /// <summary>
    /// The two-kernel step: alpha_{k-1} = rr[k-1] / pq[k-1], beta = rr[k] / rr[k-1]. A stopped step k-1
    /// (rr[k-1] at the stop, or p.Ap not &gt; 0) stops everything after it. At a segment's first step nothing is
    /// owed, and beta is 0 for a restart, else rr[k] / rr[k-1] as the host set them after a reliable update.
    /// </summary>
    public static StepCoefficients TwoKernel(ArrayView<double> rr, ArrayView<double> pq, CgStep step)
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

    /// <summary>
    /// The merged step: alpha = rx[k-1] / pq[k-1] and rr[k] = |r_{k-1} - alpha q_{k-1}|^2 = rx - 2 alpha rq + alpha^2 qq
    /// (written to rr[k] by thread 0), beta = rr[k] / rx[k-1]. At a segment's first step r_k is given (alpha = 0)
    /// and rr[k] was set by the host.
    /// </summary>
    public static StepCoefficients Merged(CgScalars c, CgStep step)
    {
        int k = step.K;
        if (k > step.First)
        {
            double pqPrevious = c.Pq[k - 1], rxPrevious = c.Rx[k - 1];
            if (!(c.Rr[k - 1] > step.Stop && pqPrevious > 0)) return Stopped;
            double a = rxPrevious / pqPrevious;
            double rrk = rxPrevious - 2 * a * c.Rq[k - 1] + a * a * c.Qq[k - 1];
            if (Grid.GlobalIndex.X == 0) c.Rr[k] = rrk;
            return new((float)a, (float)(rrk / rxPrevious), true, rrk > step.Stop);
        }
        double given = c.Rr[k];
        return new(0f, step.Restart == 0 ? (float)(given / c.Rx[k - 1]) : 0f, false, given > step.Stop);
    }
}
