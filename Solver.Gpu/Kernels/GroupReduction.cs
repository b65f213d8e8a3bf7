using ILGPU;

namespace Dcdm.Gpu.Kernels;

/// <summary>
/// The end of every reduction kernel: a tree over the group in dynamic shared memory (one double per
/// thread, requested by the launcher), then one atomic add per group. Every thread of the group must call it.
/// </summary>
static class GroupReduction
{
    public static void SumToResult(double s, ArrayView<double> result)
    {
        var shared = SharedMemory.GetDynamic<double>();
        shared[Group.IdxX] = s;
        Group.Barrier();
        for (int half = Group.DimX / 2; half > 0; half /= 2)
        {
            if (Group.IdxX < half) shared[Group.IdxX] += shared[Group.IdxX + half];
            Group.Barrier();
        }
        if (Group.IdxX == 0) Atomic.Add(ref result[0], shared[0]);
    }
}
