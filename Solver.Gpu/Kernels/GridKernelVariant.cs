namespace Dcdm.Gpu;

/// <summary>
/// Plain: one plane (or element) per loop trip. Unrolled: several, with all loads before the stores.
/// Same arithmetic; dcdm bench measures both.
/// </summary>
public enum GridKernelVariant { Plain, Unrolled }
