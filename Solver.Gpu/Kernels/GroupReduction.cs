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

    /// <summary>Four sums at once (dynamic shared memory: four doubles per thread).</summary>
    public static void SumToResults(double a, double b, double c, double d, ArrayView<double> ra, ArrayView<double> rb, ArrayView<double> rc, ArrayView<double> rd)
    {
        var shared = SharedMemory.GetDynamic<double>();
        int g = Group.DimX, t = Group.IdxX;
        shared[t] = a; shared[g + t] = b; shared[2 * g + t] = c; shared[3 * g + t] = d;
        Group.Barrier();
        for (int half = g / 2; half > 0; half /= 2)
        {
            if (t < half)
            {
                shared[t] += shared[t + half];
                shared[g + t] += shared[g + t + half];
                shared[2 * g + t] += shared[2 * g + t + half];
                shared[3 * g + t] += shared[3 * g + t + half];
            }
            Group.Barrier();
        }
        if (t == 0)
        {
            Atomic.Add(ref ra[0], shared[0]);
            Atomic.Add(ref rb[0], shared[g]);
            Atomic.Add(ref rc[0], shared[2 * g]);
            Atomic.Add(ref rd[0], shared[3 * g]);
        }
    }
}
