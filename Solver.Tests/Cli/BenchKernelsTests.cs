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
}
