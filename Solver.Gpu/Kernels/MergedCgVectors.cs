using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The float32 vectors of one single-kernel CG step (<see cref="GridKernels.MergedStep"/>): the operator's
/// diagonal bytes, r, q = A p and p of the previous step, the same three written for this step, and d.
/// </summary>
public readonly struct MergedCgVectors(ArrayView<byte> diagonal, ArrayView<float> rPrevious, ArrayView<float> qPrevious, ArrayView<float> pPrevious,
                                       ArrayView<float> rNext, ArrayView<float> qNext, ArrayView<float> pNext, ArrayView<float> d)
{
    public readonly ArrayView<byte> Diagonal = diagonal;
    public readonly ArrayView<float> RPrevious = rPrevious, QPrevious = qPrevious, PPrevious = pPrevious;
    public readonly ArrayView<float> RNext = rNext, QNext = qNext, PNext = pNext, D = d;
}
