namespace Dcdm.Multigrid;

/// <summary>
/// One coarse level as the K-cycle's correction sees it: the cycle from this level down, its operator and three vector
/// operations. The CPU's levels (double) and the device's (float, on the accelerator) implement it, so the correction
/// is written once (<see cref="KCycleStep"/>).
/// </summary>
internal interface IKCycleLevel<TVector>
{
    /// <summary>x = cycle(b) on this level: smooth from zero, correct from the level below, smooth back.</summary>
    void Cycle(TVector b, TVector x);
    /// <summary>y = A x.</summary>
    void Multiply(TVector x, TVector y);
    double Dot(TVector x, TVector y);
    /// <summary>into = a x + b y (into may be x or y).</summary>
    void Combine(double a, TVector x, double b, TVector y, TVector into);
}

/// <summary>
/// The K-cycle's coarse correction (Notay and Vassilevski): e from b by two flexible-CG steps on the level, each
/// preconditioned by the cycle below; one step when it already left at most <see cref="AggregateMultigrid.KCycleReduction"/>
/// of the residual, or when a step's curvature is not positive (the step stops where it breaks down).
/// </summary>
internal static class KCycleStep
{
    /// <param name="c1">Work vectors of the level's length: c1, c2 the cycles' results, v1, v2 their products, r2 the residual after the first step.</param>
    public static void Correct<TVector, TLevel>(TLevel level, TVector b, TVector e, TVector c1, TVector c2, TVector v1, TVector v2, TVector r2)
        where TLevel : IKCycleLevel<TVector>
    {
        level.Cycle(b, c1);
        level.Multiply(c1, v1);
        double rho1 = level.Dot(c1, v1), a1 = level.Dot(c1, b);
        if (!(rho1 > 0)) { level.Combine(1, c1, 0, c1, e); return; }
        double alpha1 = a1 / rho1;
        level.Combine(1, b, -alpha1, v1, r2);
        double t = AggregateMultigrid.KCycleReduction;
        if (level.Dot(r2, r2) <= t * t * level.Dot(b, b)) { level.Combine(alpha1, c1, 0, c1, e); return; }
        level.Cycle(r2, c2);
        level.Multiply(c2, v2);
        double gamma = level.Dot(c2, v1), beta = level.Dot(c2, v2), a2 = level.Dot(c2, r2);
        double rho2 = beta - gamma * gamma / rho1; // c2's curvature once made A-orthogonal to c1
        if (!(rho2 > 0)) { level.Combine(alpha1, c1, 0, c1, e); return; }
        level.Combine(alpha1 - gamma * a2 / (rho1 * rho2), c1, a2 / rho2, c2, e);
    }
}
