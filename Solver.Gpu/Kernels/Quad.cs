using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// Four consecutive cells along x, loaded and stored as one 16-byte access (ld.global.v4.f32 on CUDA,
/// where the view is 16-byte aligned): a quarter of the load instructions of one float per thread.
/// </summary>
readonly struct Quad(float x0, float x1, float x2, float x3)
{
    public readonly float X0 = x0, X1 = x1, X2 = x2, X3 = x3;

    public static Quad Zero => new(0f, 0f, 0f, 0f);

    public static Quad operator +(Quad a, Quad b) => new(a.X0 + b.X0, a.X1 + b.X1, a.X2 + b.X2, a.X3 + b.X3);
    public static Quad operator -(Quad a, Quad b) => new(a.X0 - b.X0, a.X1 - b.X1, a.X2 - b.X2, a.X3 - b.X3);
    public static Quad operator *(float s, Quad a) => new(s * a.X0, s * a.X1, s * a.X2, s * a.X3);

    /// <summary>sum_c a_c b_c, accumulated in double.</summary>
    public static double Dot(Quad a, Quad b) => (double)a.X0 * b.X0 + (double)a.X1 * b.X1 + (double)a.X2 * b.X2 + (double)a.X3 * b.X3;

    /// <summary>
    /// The voxel operator on four cells: q_c = d_c p_c - (sum of the six neighbours) where d_c &gt; 0, else 0.
    /// <paramref name="diagonal"/> holds d_0..d_3 as the bytes of one little-endian word; the x neighbours
    /// of the quad's inner cells are its own entries, those of its ends are <paramref name="left"/> and <paramref name="right"/>.
    /// </summary>
    public static Quad Stencil(uint diagonal, Quad center, Quad verticalAndDepth, float left, float right)
    {
        int d0 = (int)(diagonal & 0xFF), d1 = (int)((diagonal >> 8) & 0xFF), d2 = (int)((diagonal >> 16) & 0xFF), d3 = (int)(diagonal >> 24);
        var s = verticalAndDepth;
        return new(
            d0 > 0 ? d0 * center.X0 - (s.X0 + left + center.X1) : 0f,
            d1 > 0 ? d1 * center.X1 - (s.X1 + center.X0 + center.X2) : 0f,
            d2 > 0 ? d2 * center.X2 - (s.X2 + center.X1 + center.X3) : 0f,
            d3 > 0 ? d3 * center.X3 - (s.X3 + center.X2 + right) : 0f);
    }

    /// <summary>A float view as quads; its length must be a multiple of 4 and its start 16-byte aligned (whole buffers are).</summary>
    public static ArrayView<Quad> Of(ArrayView<float> v) => v.Cast<Quad>().AsAligned16();
}
