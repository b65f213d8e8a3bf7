namespace Dcdm.Solvers;

/// <summary>
/// The few operations the Krylov loops need (<see cref="ConjugateGradientIteration"/>,
/// <see cref="DeepConjugateDirectionsIteration"/>), on whatever vectors a backend owns: host arrays
/// or device buffers. The algorithms are written once; a backend supplies these kernels, fused where
/// memory traffic matters. Vectors are the solver's (on the unknowns, or on the full grid for the matrix-free
/// solvers, 0 off the unknowns) and are allocated at set-up.
/// </summary>
internal interface IVectorBackend<TVector>
{
    /// <summary>r = b - A x; returns ||r||.</summary>
    double Residual(TVector b, TVector x, TVector r);
    /// <summary>r = b - A x at a loop's start; where the caller zeroed x (<paramref name="fromZero"/>) r = b, without a product.</summary>
    double StartingResidual(TVector b, TVector x, TVector r, bool fromZero)
    {
        if (!fromZero) return Residual(b, x, r);
        Copy(b, r);
        return Math.Sqrt(Dot(r, r));
    }
    /// <summary>q = A p; returns p.q (fused: the product already streams p).</summary>
    double ApplyAndDot(TVector p, TVector q);
    /// <summary>z = M^-1 r; returns r.z (z may be r itself when there is no preconditioner).</summary>
    double Precondition(TVector r, TVector z);
    double Dot(TVector a, TVector b);
    /// <summary>dots[j] = x.ys[j] for every j, fused where the backend can (Gram-Schmidt against kept directions).</summary>
    void Dots(TVector x, ReadOnlySpan<TVector> ys, Span<double> dots);
    /// <summary>q -= sum_j c[j] ps[j].</summary>
    void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<TVector> ps, TVector q);
    /// <summary>p = z + beta p.</summary>
    void Xpay(TVector z, double beta, TVector p);
    /// <summary>x += alpha p; r -= alpha q; returns r.r: one pass (48 bytes per unknown in double) instead of two axpys and a dot (64).</summary>
    double UpdateSolutionAndResidual(double alpha, TVector p, TVector q, TVector x, TVector r);
    /// <summary>to = from (nothing when they are the same vector).</summary>
    void Copy(TVector from, TVector to);
}
