namespace Dcdm.Gpu.Kernels;

/// <summary>
/// Which CG step a grid kernel runs: K, the first step of the current segment (nothing owed to d
/// there), whether that segment restarts from p = r, and Stop, the r.r at or below which the steps stop.
/// </summary>
public readonly struct CgStep(int k, int first, bool restart, double stop)
{
    public readonly int K = k, First = first;
    /// <summary>1 for a restart (an int, not a bool: a plain value for the kernel argument).</summary>
    public readonly int Restart = restart ? 1 : 0;
    public readonly double Stop = stop;
}
