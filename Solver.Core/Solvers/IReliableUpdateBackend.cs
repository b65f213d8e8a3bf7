namespace Dcdm.Solvers;

/// <summary>Why a run of low-precision steps (<see cref="IReliableUpdateBackend.Run"/>) ended.</summary>
internal enum SegmentEnd
{
    /// <summary>The recurrence residual fell by the refresh factor: refresh x and r in double and go on.</summary>
    Refresh,
    /// <summary>The recurrence residual met the tolerance: the true residual decides.</summary>
    RecurrenceConverged,
    MaxIterations,
    Cancelled,
    /// <summary>The loop's report said stop (NaN in the residual, divergence).</summary>
    Reported,
    /// <summary>A breakdown the steps met (p.Ap or r.z): its status and message come with it.</summary>
    Breakdown,
}

/// <summary>A segment's end: the iterations done in all, the last recurrence r.r (in the segment's units), and for a breakdown its status and why.</summary>
internal readonly record struct SegmentOutcome(SegmentEnd End, int Step, double LastRr, SolveStatus Status = SolveStatus.Breakdown, string Message = "");

/// <summary>
/// What <see cref="ReliableUpdateIteration"/> runs on: CG steps in low precision on r / ||r|| (a device's float32
/// vectors), their change of x gathered in a correction d, and double-precision x, b and true residual.
/// </summary>
internal interface IReliableUpdateBackend
{
    /// <summary>||b - A x|| in double.</summary>
    double TrueResidual();

    /// <summary>r = (b - A x) / rNorm in low precision, d = 0; <paramref name="step"/> is the iterations done so far.</summary>
    void StartSegment(double rNorm, int step);

    /// <summary>
    /// CG steps from iteration <paramref name="step"/> + 1 until the recurrence's r.r is at most <paramref name="stop"/>
    /// (the tolerance) or <paramref name="refresh"/> of the segment's start, <paramref name="max"/> iterations in all, a
    /// breakdown, or cancellation. Each step's r.r goes to <paramref name="report"/> (iteration, r.r), which returns false to stop.
    /// </summary>
    SegmentOutcome Run(int step, int max, double stop, double refresh, Func<int, double, bool> report, CancellationToken cancellation);

    /// <summary>x += rNorm d in double.</summary>
    void Correct(double rNorm);

    /// <summary>Go on in units <paramref name="c"/> times larger (the true residual replaced the recurrence's): the direction and the scalars the steps carry.</summary>
    void Rescale(double c, int step);
}
