using Dcdm.Cli.Bench;
using Dcdm.Gpu.Devices;

namespace Dcdm.Tests.Cli;

/// <summary>dcdm bench's own kernels against plain loops, on ILGPU's CPU accelerator.</summary>
[NonParallelizable]
public class BenchKernelsTests
{
    [Test]
    public void CopyOnQuadsCopiesEveryValueAndRejectsOtherLengths()
    {
        using var device = GpuDevice.Open(DeviceKind.Cpu);
        var acc = device.Accelerator;
        var values = Enumerable.Range(0, 4 * 1000 + 4).Select(i => (float)Math.Sin(i)).ToArray();
        using var from = new DeviceVector<float>(acc, values);
        using var to = new DeviceVector<float>(acc, values.Length);
        var kernels = new BenchKernels(acc);
        kernels.Copy(from.View, to.View);
        Assert.That(to.ToArray(), Is.EqualTo(values));
        using var odd = new DeviceVector<float>(acc, 6);
        Assert.Throws<ArgumentException>(() => kernels.Copy(odd.View, odd.View));
    }

    [Test]
    public void ABandwidthExistsOnlyForBytesMovedInAMeasurableTime()
    {
        // a tiny kernel can finish below the clock's resolution: 0 s gave an infinite rate, which JSON cannot hold
        Assert.That(new BenchRow("dot", 0, 800, "").GigabytesPerSecond, Is.Null);
        Assert.That(new BenchRow("cg iteration", 1e-3, 0, "").GigabytesPerSecond, Is.Null);
        Assert.That(new BenchRow("dot", 2e-6, 8000, "").GigabytesPerSecond, Is.EqualTo(4).Within(1e-12));
        Assert.That(new BenchRow("copy", 1, 8e9, "", DeviceSeconds: 2).GigabytesPerSecond, Is.EqualTo(4).Within(1e-12), "from the device time when measured");
    }
}
