namespace Dcdm.Gpu.Devices;

/// <summary>Which accelerator to run on.</summary>
public enum DeviceKind
{
    /// <summary>A GPU when one is present, else ILGPU's CPU accelerator.</summary>
    Auto,
    /// <summary>ILGPU's CPU accelerator (an emulator: for tests, not speed).</summary>
    Cpu,
    /// <summary>A CUDA or OpenCL GPU; fails with a clear message when none exists.</summary>
    Gpu,
}
