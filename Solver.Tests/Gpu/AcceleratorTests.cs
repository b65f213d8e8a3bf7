using Dcdm.Gpu.Devices;

namespace Dcdm.Tests.Gpu;

/// <summary>Tests on ILGPU's CPU accelerator: one device per fixture, opened once, never in parallel (the emulator is slow).</summary>
[NonParallelizable]
public abstract class AcceleratorTests
{
    protected GpuDevice Device { get; private set; } = null!;

    [OneTimeSetUp] public void Open() => Device = GpuDevice.Open(DeviceKind.Cpu);
    [OneTimeTearDown] public void Close() => Device.Dispose();
}
