using static TorchSharp.torch;

namespace Dcdm.Training.Loss;

/// <summary>
/// The scale-invariant residual loss of DCDM: for b_i and q_i = f(b_i),
///   L = mean_i || b_i - (q_i.b_i) / (q_i.A q_i) A q_i ||^2,
/// the best multiple of q_i solved in closed form, so f only has to approximate A^-1 b up to a scale.
/// A is applied to the batch as a masked 7-point stencil, a convolution:
///   (A q)_c = m_c (d_c q_c - sum_{j ~ c} m_j q_j), m the unknowns' mask, d the diagonal.
/// q.Aq is clamped below at 1e-30 so a network that outputs 0 gives loss |b|^2, not NaN.
/// </summary>
public static class ResidualLoss
{
    static readonly Tensor Neighbours = NeighbourKernel();

    static Tensor NeighbourKernel()
    {
        var k = new float[27];
        foreach (int o in new[] { 4, 10, 12, 14, 16, 22 }) k[o] = 1; // the 6 face neighbours of (1,1,1)
        return tensor(k, [1, 1, 3, 3, 3]).DetachFromDisposeScope(); // a static: must outlive the scope it is first used in
    }

    /// <summary>A q for a batch (B, 1, nz, ny, nx) on one geometry.</summary>
    public static Tensor Apply(Tensor q, GridOperatorTensors g)
    {
        var masked = q * g.Fluid;
        var kernel = Neighbours.dtype == q.dtype && Neighbours.device_type == q.device_type ? Neighbours : Neighbours.to(q.dtype, q.device);
        var sides = nn.functional.conv3d(masked, kernel, padding: [1, 1, 1]);
        return g.Fluid * (g.Diagonal * masked - sides);
    }

    /// <summary>Per-sample loss, shape (B).</summary>
    public static Tensor PerSample(Tensor q, Tensor b, GridOperatorTensors g)
    {
        var aq = Apply(q, g);
        var qb = (q * g.Fluid * b).sum([1, 2, 3, 4]);
        var qaq = (q * g.Fluid * aq).sum([1, 2, 3, 4]).clamp_min(1e-30);
        var scale = (qb / qaq).reshape(-1, 1, 1, 1, 1);
        var residual = b - scale * aq;
        return (residual * residual).sum([1, 2, 3, 4]);
    }

    public static Tensor Mean(Tensor q, Tensor b, GridOperatorTensors g) => PerSample(q, b, g).mean();
}
