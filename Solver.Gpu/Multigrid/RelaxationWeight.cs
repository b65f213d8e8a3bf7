using ILGPU;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// How a colour sweep of <see cref="MultigridKernels"/> takes a cell's Gauss-Seidel value x_GS into x: the one
/// relaxation kernel is generic over it (ILGPU compiles one kernel per policy), so Gauss-Seidel, a constant SOR weight
/// and learned per-cell weights are one sweep written once.
/// </summary>
internal interface IRelaxationWeight
{
    /// <summary>The cell's new value from its old one and its Gauss-Seidel value.</summary>
    float Blend(int cell, float x, float gaussSeidel);
}

/// <summary>x = x_GS.</summary>
internal readonly struct GaussSeidelWeight : IRelaxationWeight
{
    public float Blend(int cell, float x, float gaussSeidel) => gaussSeidel;
}

/// <summary>x += w (x_GS - x) with one weight for every cell: nothing per cell to read (the K-cycle's tuned weight).</summary>
internal readonly struct ConstantWeight(float weight) : IRelaxationWeight
{
    readonly float _weight = weight;

    public float Blend(int cell, float x, float gaussSeidel) => x + _weight * (gaussSeidel - x);
}

/// <summary>x += w_i (x_GS - x) with a weight per cell (the vcycle model's learned weights, in (0, 2)).</summary>
internal readonly struct CellWeights(ArrayView<float> weights) : IRelaxationWeight
{
    readonly ArrayView<float> _weights = weights;

    public float Blend(int cell, float x, float gaussSeidel) => x + _weights[cell] * (gaussSeidel - x);
}
