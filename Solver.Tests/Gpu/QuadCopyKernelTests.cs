using Dcdm.Benchmarks;
using Dcdm.Gpu.Devices;

namespace Dcdm.Tests.Gpu;

/// <summary>The benchmarks' copy kernel against the values it copies, on ILGPU's CPU accelerator.</summary>
public class QuadCopyKernelTests : AcceleratorTests
{
    [Test]
    public void CopyOnQuadsCopiesEveryValueAndRejectsOtherLengths()
    {
        var acc = Device.Accelerator;
        var values = Enumerable.Range(0, 4 * 1000 + 4).Select(i => (float)Math.Sin(i)).ToArray();
        using var from = new DeviceVector<float>(acc, values);
        using var to = new DeviceVector<float>(acc, values.Length);
        var kernel = new QuadCopyKernel(acc);
        kernel.Copy(from.View, to.View);
        Assert.That(to.ToArray(), Is.EqualTo(values));
        using var odd = new DeviceVector<float>(acc, 6);
        Assert.Throws<ArgumentException>(() => kernel.Copy(odd.View, odd.View));
    }
}
