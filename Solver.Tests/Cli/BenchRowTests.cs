using Dcdm.Cli.Bench;

namespace Dcdm.Tests.Cli;

public class BenchRowTests
{
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
