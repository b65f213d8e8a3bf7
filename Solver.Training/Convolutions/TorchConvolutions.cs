using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training.Convolutions;

/// <summary>
/// The guard in front of every torch convolution dcdm runs: once per process and device type, before the first training
/// step or inference, <see cref="ConvolutionSelfCheck"/> runs. On a CPU whose oneDNN kernels fail it, oneDNN is turned
/// off and ATen's own kernels are checked instead; when nothing passes, <see cref="UntrustedConvolutionsException"/>
/// says why, so no loss or model ever comes from a convolution that failed the check.
/// </summary>
public static class TorchConvolutions
{
    static readonly Lazy<ConvolutionPath> Cpu = new(() => Choose(() => ConvolutionSelfCheck.Run(CPU), () => OneDnnSwitch.TrySet(false), DescribeCpu()));
    /// <summary>Each CUDA device checked on its own (cuda:0, cuda:1, ...).</summary>
    static readonly System.Collections.Concurrent.ConcurrentDictionary<int, Lazy<ConvolutionPath>> Cuda = new();

    /// <summary>The checked path for this device; the check runs on the first call only (a refusal is remembered too).</summary>
    /// <exception cref="UntrustedConvolutionsException">No path dcdm can select computes right values here.</exception>
    public static ConvolutionPath Verify(Device device) => device.type == DeviceType.CUDA
        ? Cuda.GetOrAdd(device.index, index => new(() => Choose(() => ConvolutionSelfCheck.Run(device), turnOffOneDnn: null, $"CUDA device {index}"))).Value
        : Cpu.Value;

    /// <summary>The choice, with the check and the switch given (tests hand in failing ones).</summary>
    internal static ConvolutionPath Choose(Func<ConvolutionCheckResult> check, Func<bool>? turnOffOneDnn, string machine)
    {
        var first = check();
        bool cuda = first.Device == "cuda";
        if (first.Passed) return new ConvolutionPath(cuda ? "cuDNN" : "oneDNN", first, Note: null);
        if (turnOffOneDnn is not null && turnOffOneDnn())
        {
            var second = check();
            if (second.Passed)
                return new ConvolutionPath("ATen (oneDNN off)", second,
                    $"{first.Summary}; dcdm turned libtorch's oneDNN convolutions off on this CPU ({machine}) and ATen's own passed the same check "
                    + "(slower; DNNL_MAX_CPU_ISA=AVX set before starting is a faster path that passed on such CPUs)");
            throw new UntrustedConvolutionsException(
                $"{first.Summary}; with oneDNN off, {second.Summary}. CPU: {machine}. No loss or model is computed. "
                + "Fix: start the process with DNNL_MAX_CPU_ISA=AVX (or SSE41) in its environment, train with --device cuda, or train on another CPU.");
        }
        throw new UntrustedConvolutionsException(cuda
            ? $"{first.Summary}. No loss or model is computed. Fix: train with --device cpu, or update the GPU driver and CUDA libtorch."
            : $"{first.Summary}; libtorch's oneDNN switch could not be reached here. CPU: {machine}. No loss or model is computed. "
              + "Fix: start the process with DNNL_MAX_CPU_ISA=AVX (or SSE41) in its environment, or train on another CPU.");
    }

    /// <summary>The CPU's name and the vector extensions oneDNN chooses between, as the messages quote them.</summary>
    static string DescribeCpu()
    {
        string name = "unknown CPU";
        try
        {
            if (File.Exists("/proc/cpuinfo"))
                name = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? name;
        }
        catch (IOException) { }
        string isa = Avx512F.IsSupported ? "AVX-512" + (Avx512Vbmi.IsSupported ? " with VBMI" : "") : Avx2.IsSupported ? "AVX2" : Avx.IsSupported ? "AVX" : "no AVX";
        string cap = Environment.GetEnvironmentVariable("DNNL_MAX_CPU_ISA") is { Length: > 0 } set ? $", DNNL_MAX_CPU_ISA={set}" : "";
        return $"{name}, {isa}{cap}";
    }
}
