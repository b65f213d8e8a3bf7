namespace Dcdm.Solvers;

/// <summary>
/// The few operations a Krylov loop needs, on whatever vectors a backend owns (host arrays,
/// device buffers). The algorithm is written once (<see cref="ConjugateGradientIteration"/>); a
/// backend supplies these kernels, fused where memory traffic matters.
/// </summary>
public interface IKrylovBackend<TVector>
{
    /// <summary>q = A p; returns p.q (fused: the SpMV already streams p).</summary>
    double ApplyAndDot(TVector p, TVector q);
    /// <summary>x += alpha p; r -= alpha q; returns r.r.</summary>
    double UpdateSolutionAndResidual(double alpha, TVector p, TVector q, TVector x, TVector r);
    /// <summary>p = z + beta p.</summary>
    void Xpay(TVector z, double beta, TVector p);
    /// <summary>r = b - A x; returns ||r||.</summary>
    double Residual(TVector b, TVector x, TVector r);
    /// <summary>z = M^-1 r; returns r.z (z may be r itself when there is no preconditioner).</summary>
    double Precondition(TVector r, TVector z);
    /// <summary>to = from.</summary>
    void Copy(TVector from, TVector to);
}
