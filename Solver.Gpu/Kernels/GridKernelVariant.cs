namespace Dcdm.Gpu.Kernels;

/// <summary>
/// How the grid CG's step runs. Unrolled: two kernels with several planes per loop trip and all loads
/// before the stores. Merged: one kernel per step (33 bytes per cell instead of 37), r.r of the next step
/// from r.Ap and |Ap|^2. Vectorized: the two kernels on quads of four x-neighbours, 16 bytes per load
/// (nx % 4 == 0, else Unrolled runs). MergedVectorized: the one-kernel step on quads (else Merged runs).
/// dcdm bench measures them all. (A Plain form, one plane per loop trip, measured slower on the H100 and was removed.)
/// </summary>
public enum GridKernelVariant { Unrolled, Merged, Vectorized, MergedVectorized }
