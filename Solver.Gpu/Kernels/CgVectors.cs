using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The float32 vectors one step of the grid CG reads and writes, bundled into one kernel argument:
/// the operator's diagonal bytes, r, p of the previous step, p of this step, the correction d and q = A p.
/// </summary>
public readonly struct CgVectors(ArrayView<byte> diagonal, ArrayView<float> r, ArrayView<float> pPrevious, ArrayView<float> pNext, ArrayView<float> d, ArrayView<float> q)
{
    public readonly ArrayView<byte> Diagonal = diagonal;
    public readonly ArrayView<float> R = r, PPrevious = pPrevious, PNext = pNext, D = d, Q = q;
}
