using NUnit.Framework;
using TorchSharp;

namespace Dcdm.Tests.Training;

public class TorchLoadTests
{
    // Loads libtorch through TorchSharp: fails if the GLIBCXX weak-version fix was not applied by the build.
    [Test]
    public void TensorOperationRunsOnCpu()
    {
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = torch.ones(3, 2, dtype: torch.float32);
        using var c = a.matmul(b);
        Assert.That(c.data<float>().ToArray(), Is.EqualTo(new float[] { 3, 3, 12, 12 }));
    }
}
