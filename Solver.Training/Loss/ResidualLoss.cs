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
    static readonly Tensor Faces = FaceKernel();

    static Tensor FaceKernel()
    {
        var k = new float[27];
        foreach (int o in new[] { 4, 10, 12, 14, 16, 22 }) k[o] = 1; // the 6 face neighbours of (1,1,1)
        return tensor(k, [1, 1, 3, 3, 3]).DetachFromDisposeScope(); // a static: must outlive the scope it is first used in
    }

    /// <summary>Per cell, the sum of its 6 face neighbours' values (0 outside the grid), for (B, 1, nz, ny, nx).</summary>
    public static Tensor Neighbours(Tensor x)
    {
        var kernel = Faces.dtype == x.dtype && Faces.device_type == x.device_type ? Faces : Faces.to(x.dtype, x.device);
        return nn.functional.conv3d(x, kernel, padding: [1, 1, 1]);
    }

    /// <summary>A q for a batch (B, 1, nz, ny, nx) on one geometry.</summary>
    public static Tensor Apply(Tensor q, GridOperatorTensors g) => Apply(q, g.Fluid, g.Diagonal);

    /// <summary>A q with the unknowns' mask and the diagonal given as tensors (a coarse level of a V-cycle, say).</summary>
    public static Tensor Apply(Tensor q, Tensor unknown, Tensor diagonal)
    {
        var masked = q * unknown;
        return unknown * (diagonal * masked - Neighbours(masked));
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
