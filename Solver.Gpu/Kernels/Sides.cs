using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The four in-plane neighbours (x-1, x+1, y-1, y+1) of a column's cells: which exist, and their sum
/// (0 for a neighbour outside the grid). Vectors are 0 off the unknowns, so no flags are read.
/// </summary>
readonly struct Sides(bool left, bool right, bool front, bool back, int nx)
{
    readonly bool _left = left, _right = right, _front = front, _back = back;
    readonly int _nx = nx;

    public float Sum(ArrayView<float> p, int i) =>
        (_left ? p[i - 1] : 0f) + (_right ? p[i + 1] : 0f) + (_front ? p[i - _nx] : 0f) + (_back ? p[i + _nx] : 0f);

    /// <summary>The sum of r + beta pOld over the neighbours: the new direction, formed where it is needed.</summary>
    public float Sum(ArrayView<float> r, ArrayView<float> pOld, float beta, int i) =>
        (_left ? r[i - 1] + beta * pOld[i - 1] : 0f) + (_right ? r[i + 1] + beta * pOld[i + 1] : 0f)
        + (_front ? r[i - _nx] + beta * pOld[i - _nx] : 0f) + (_back ? r[i + _nx] + beta * pOld[i + _nx] : 0f);

    /// <summary>The sum of (rOld - alpha qOld) + beta pOld over the neighbours: this step's r and p, formed where needed.</summary>
    public float Sum(ArrayView<float> r, ArrayView<float> q, ArrayView<float> p, float alpha, float beta, int i) =>
        (_left ? r[i - 1] - alpha * q[i - 1] + beta * p[i - 1] : 0f) + (_right ? r[i + 1] - alpha * q[i + 1] + beta * p[i + 1] : 0f)
        + (_front ? r[i - _nx] - alpha * q[i - _nx] + beta * p[i - _nx] : 0f) + (_back ? r[i + _nx] - alpha * q[i + _nx] + beta * p[i + _nx] : 0f);
}
