namespace Dcdm.Solvers;

/// <summary>
/// What the DCDM loop (<see cref="DeepConjugateDirectionsIteration"/>) needs from whoever owns the
/// vectors (host arrays, device buffers): the operator, the learned direction and a few vector operations.
/// </summary>
public interface IDirectionBackend<TVector>
{
    /// <summary>r = b - A x; returns ||r||.</summary>
    double Residual(TVector b, TVector x, TVector r);
    /// <summary>q = f(r / rNorm) on the unknowns (0 elsewhere).</summary>
    void Direction(TVector r, double rNorm, TVector q);
    /// <summary>aq = A q; returns q.aq.</summary>
    double ApplyAndDot(TVector q, TVector aq);
    double Dot(TVector a, TVector b);
    /// <summary>y += alpha x.</summary>
    void Axpy(double alpha, TVector x, TVector y);
    /// <summary>x += alpha q; r -= alpha aq; returns r.r: one pass (40 bytes per unknown in double) instead of two axpys and a dot (64).</summary>
    double Update(double alpha, TVector q, TVector aq, TVector x, TVector r);
    void Copy(TVector from, TVector to);
    /// <summary>A new zero vector (for the kept directions).</summary>
    TVector NewVector();
}
