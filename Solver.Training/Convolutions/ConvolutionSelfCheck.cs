using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training.Convolutions;

/// <summary>
/// Checks libtorch's conv3d and conv_transpose3d on one device, forward and backward, against plain loops in double
/// (<see cref="ConvolutionReference"/>) on the <see cref="ConvolutionCase.Standard"/> shapes; each is run twice, so a
/// path that gives different values on the same input fails too. Takes milliseconds. Some CPUs with AVX-512 get wrong
/// values or NaN from libtorch's oneDNN kernels (issue 20); a model trained on them is silently wrong.
/// </summary>
public static class ConvolutionSelfCheck
{
    /// <summary>Float32 against double over at most 432 terms is ~1e-6; CUDA may convolve in TF32 (10-bit mantissa, ~1e-3).</summary>
    public static double ToleranceFor(Device device) => device.type == DeviceType.CUDA ? 1e-2 : 1e-4;

    public static ConvolutionCheckResult Run(Device device) => Run(device, Convolve);

    /// <summary>The check with the convolution given (a test hands in a wrong one to see it caught).</summary>
    internal static ConvolutionCheckResult Run(Device device, Func<ConvolutionCase, Tensor, Tensor, Tensor> convolve)
    {
        var clock = Stopwatch.StartNew();
        double tolerance = ToleranceFor(device), worst = 0;
        var failures = new List<string>();
        var rng = new Random(20);
        foreach (var c in ConvolutionCase.Standard)
        {
            var (nz, ny, nx) = c.Size;
            var (oz, oy, ox) = c.OutputSize;
            var x = Values(rng, c.Batch * c.InChannels * nz * ny * nx);
            var w = Values(rng, (int)c.WeightShape.Aggregate(1L, (a, b) => a * b));
            var g = Values(rng, c.Batch * c.OutChannels * oz * oy * ox);
            var (y, dx, dw) = ConvolutionReference.Evaluate(c, x, w, g);
            for (int run = 1; run <= 2; run++)
            {
                var (ty, tdx, tdw) = OnTorch(c, device, x, w, g, convolve);
                foreach (var (what, got, want) in new[] { ("forward", ty, y), ("input gradient", tdx, dx), ("weight gradient", tdw, dw) })
                {
                    double error = RelativeError(got, want);
                    worst = Math.Max(worst, double.IsNaN(error) ? double.PositiveInfinity : error);
                    if (!(error <= tolerance))
                        failures.Add($"{c.Name}, {what}{(run == 2 ? " (second run)" : "")}: relative error {error:G3} > {tolerance:G2}");
                }
            }
        }
        return new ConvolutionCheckResult(device.type == DeviceType.CUDA ? "cuda" : "cpu", tolerance, worst, failures, clock.Elapsed);
    }

    static Tensor Convolve(ConvolutionCase c, Tensor x, Tensor w)
    {
        long[] stride = [c.Stride, c.Stride, c.Stride], padding = [c.Padding, c.Padding, c.Padding];
        return c.Transposed
            ? nn.functional.conv_transpose3d(x, w, strides: stride, padding: padding)
            : nn.functional.conv3d(x, w, strides: stride, padding: padding);
    }

    static (float[] Y, float[] Dx, float[] Dw) OnTorch(ConvolutionCase c, Device device, float[] x, float[] w, float[] g,
        Func<ConvolutionCase, Tensor, Tensor, Tensor> convolve)
    {
        using var scope = NewDisposeScope();
        var (nz, ny, nx) = c.Size;
        var (oz, oy, ox) = c.OutputSize;
        var tx = tensor(x, [c.Batch, c.InChannels, nz, ny, nx]).to(device).requires_grad_(true);
        var tw = tensor(w, c.WeightShape).to(device).requires_grad_(true);
        var tg = tensor(g, [c.Batch, c.OutChannels, oz, oy, ox]).to(device);
        var y = convolve(c, tx, tw);
        (y * tg).sum().backward();
        return (Host(y), Host(tx.grad!), Host(tw.grad!));
    }

    static float[] Host(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    static float[] Values(Random rng, int n)
    {
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(2 * rng.NextDouble() - 1);
        return v;
    }

    /// <summary>max |got - want| / max |want|; NaN when a value is not finite or the sizes differ.</summary>
    static double RelativeError(float[] got, double[] want)
    {
        if (got.Length != want.Length) return double.NaN;
        double error = 0, scale = 0;
        for (int i = 0; i < got.Length; i++)
        {
            if (!float.IsFinite(got[i])) return double.NaN;
            error = Math.Max(error, Math.Abs(got[i] - want[i]));
            scale = Math.Max(scale, Math.Abs(want[i]));
        }
        return error / Math.Max(scale, 1e-30);
    }
}
