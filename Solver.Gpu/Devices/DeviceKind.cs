namespace Dcdm.Gpu.Devices;

/// <summary>
/// Which accelerator to run on. There is no "any": ILGPU's CPU accelerator is an emulator 100x slower than the plain
/// CPU solvers, so a program that takes a GPU when present uses <see cref="GpuDevice.TryOpenGpu"/> (or
/// <see cref="Solvers.GpuSolvers.ForThisMachine"/>) and the CPU solvers otherwise.
/// </summary>
public enum DeviceKind
{
    /// <summary>ILGPU's CPU accelerator (an emulator: for tests, not speed).</summary>
    Cpu,
    /// <summary>A CUDA or OpenCL GPU; fails with a clear message when none exists.</summary>
    Gpu,
}
