using Dcdm.Training.Convolutions;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

[NonParallelizable] // one test flips libtorch's process-wide oneDNN switch
public class ConvolutionSelfCheckTests
{
    static float[] Values(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
    }

    static double Dot(float[] a, double[] b) => a.Select((v, i) => v * b[i]).Sum();

    static Tensor Convolve(ConvolutionCase c, Tensor x, Tensor w)
    {
        long[] s = [c.Stride, c.Stride, c.Stride], p = [c.Padding, c.Padding, c.Padding];
        return c.Transposed ? nn.functional.conv_transpose3d(x, w, strides: s, padding: p) : nn.functional.conv3d(x, w, strides: s, padding: p);
    }

    [TestCaseSource(typeof(ConvolutionCase), nameof(ConvolutionCase.Standard))]
    public void ThePlainLoopsAreAConvolutionAndItsAdjoints(ConvolutionCase c)
    {
        // L = <y, g> is linear in x and in w: <dL/dx, x> = <dL/dw, w> = L, whatever the indexing
        var (oz, oy, ox) = c.OutputSize;
        var x = Values(c.Batch * c.InChannels * c.Size.Nz * c.Size.Ny * c.Size.Nx, 1);
        var w = Values((int)c.WeightShape.Aggregate(1L, (a, b) => a * b), 2);
        var g = Values(c.Batch * c.OutChannels * oz * oy * ox, 3);
        var (y, dx, dw) = ConvolutionReference.Evaluate(c, x, w, g);
        double loss = Dot(g, y);
        Assert.That(Math.Abs(loss), Is.GreaterThan(1e-3));
        Assert.That(Dot(x, dx), Is.EqualTo(loss).Within(1e-9 * (1 + Math.Abs(loss))));
        Assert.That(Dot(w, dw), Is.EqualTo(loss).Within(1e-9 * (1 + Math.Abs(loss))));
    }

    [Test]
    public void ThePlainLoopOfAStrideTwoConvolutionPicksTheRightCells()
    {
        // one input channel, a kernel with a single 1 at (kz, ky, kx) = (1, 2, 3): y(p) = x(2p - 1 + k)
        var c = new ConvolutionCase("probe", false, 1, 1, 1, 4, 2, 1, (6, 6, 6));
        var x = Enumerable.Range(0, 216).Select(i => (float)i).ToArray();
        var w = new float[64];
        w[3 + 4 * (2 + 4 * 1)] = 1;
        var (y, _, _) = ConvolutionReference.Evaluate(c, x, w, new float[27]);
        Assert.That(c.OutputSize, Is.EqualTo((3, 3, 3)));
        Assert.That(y[1 + 3 * (1 + 3 * 1)], Is.EqualTo(x[4 + 6 * (3 + 6 * 2)]));
        Assert.That(y[0], Is.EqualTo(x[2 + 6 * (1 + 6 * 0)]));
    }

    [Test]
    public void ThisProcessConvolvesOnACheckedPath()
    {
        var path = TorchConvolutions.Verify(CPU);
        Assert.That(path.Check.Passed, path.Check.Summary);
        Assert.That(path.Check.MaxRelativeError, Is.LessThanOrEqualTo(path.Check.Tolerance));
        Assert.That(TorchConvolutions.Verify(CPU), Is.SameAs(path), "checked once per process");
    }

    [Test]
    public void AConvolutionOffByOneValueIsCaught()
    {
        var result = ConvolutionSelfCheck.Run(CPU, (c, x, w) =>
        {
            var y = Convolve(c, x, w);
            var wrong = zeros_like(y);
            wrong.view(-1)[3] = tensor(0.05f); // 5% of a unit value in one cell, as the AVX-512 kernels were seen to miss
            return y + wrong;
        });
        Assert.That(result.Passed, Is.False);
        Assert.That(result.Failures, Has.Some.Contains("forward"));
        Assert.That(result.Summary, Does.Contain("disagree"));
    }

    [Test]
    public void ANaNGradientIsCaught()
    {
        // sqrt(0) adds nothing forward, but its gradient is infinite and makes the weight gradient NaN
        var result = ConvolutionSelfCheck.Run(CPU, (c, x, w) =>
        {
            var y = Convolve(c, x, w);
            return y + (zeros_like(y) * w.sum()).sqrt();
        });
        Assert.That(result.Passed, Is.False);
        Assert.That(result.Failures, Has.Some.Contains("gradient"));
        Assert.That(result.MaxRelativeError, Is.EqualTo(double.PositiveInfinity));
    }

    static ConvolutionCheckResult Failed() => new("cpu", 1e-4, 0.08, ["conv3d 4x4x4 stride 2, 1 channel, forward: relative error 0.08 > 1E-04"], TimeSpan.Zero);
    static ConvolutionCheckResult Good() => new("cpu", 1e-4, 1e-7, [], TimeSpan.Zero);

    [Test]
    public void AFailingOneDnnIsTurnedOffAndTheSecondPathCheckedAgain()
    {
        int checks = 0; bool off = false;
        var path = TorchConvolutions.Choose(() => ++checks == 1 ? Failed() : Good(), () => off = true, "a test CPU, AVX-512");
        Assert.That((checks, off), Is.EqualTo((2, true)));
        Assert.That(path.Name, Does.Contain("oneDNN off"));
        Assert.That(path.IsDefault, Is.False);
        Assert.That(path.Note, Does.Contain("0.08").And.Contain("a test CPU, AVX-512"));
    }

    [Test]
    public void WhenNoPathPassesTrainingIsRefusedWithTheCpuAndTheFix()
    {
        var e = Assert.Throws<UntrustedConvolutionsException>(() => TorchConvolutions.Choose(Failed, () => true, "AMD EPYC 9R45, AVX-512"))!;
        Assert.That(e.Message, Does.Contain("AMD EPYC 9R45, AVX-512").And.Contain("DNNL_MAX_CPU_ISA=AVX").And.Contain("No loss or model"));
        var unreachable = Assert.Throws<UntrustedConvolutionsException>(() => TorchConvolutions.Choose(Failed, () => false, "a CPU"))!;
        Assert.That(unreachable.Message, Does.Contain("could not be reached"));
    }

    [Test]
    public void ATenOwnConvolutionsPassTheCheckWithOneDnnOff()
    {
        TorchConvolutions.Verify(CPU); // libtorch loaded and this process's path chosen
        bool? before = OneDnnSwitch.Enabled;
        Assert.That(before, Is.Not.Null, "the switch is reachable in the Linux libtorch");
        try
        {
            Assert.That(OneDnnSwitch.TrySet(false));
            var result = ConvolutionSelfCheck.Run(CPU);
            Assert.That(result.Passed, result.Summary);
        }
        finally { OneDnnSwitch.TrySet(before!.Value); } // the process's chosen path, whatever it was
    }
}
