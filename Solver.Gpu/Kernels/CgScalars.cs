using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The per-step scalars of the single-kernel grid CG, one double per step in each array:
/// rr[k] = r_k.r_k as the recurrence predicts it before step k (for stopping and beta), rx[k] = r_k.r_k of the
/// stored r_k (summed during step k; alpha and the next prediction start from it, so rounding does not
/// accumulate along the recurrence), pq[k] = p_k.A p_k, rq[k] = r_k.A p_k, qq[k] = |A p_k|^2.
/// </summary>
public readonly struct CgScalars(ArrayView<double> rr, ArrayView<double> rx, ArrayView<double> pq, ArrayView<double> rq, ArrayView<double> qq)
{
    public readonly ArrayView<double> Rr = rr, Rx = rx, Pq = pq, Rq = rq, Qq = qq;
}
