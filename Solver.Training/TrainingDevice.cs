using static TorchSharp.torch;

namespace Dcdm.Training;

/// <summary>Where training runs: cpu (the default), cuda (fails when TorchSharp reports none), or auto (cuda when TorchSharp reports it).</summary>
public static class TrainingDevice
{
    public static IReadOnlyList<string> Names { get; } = ["cpu", "cuda", "auto"];

    /// <exception cref="ArgumentException">An unknown name, or cuda without a CUDA libtorch and device.</exception>
    public static Device Resolve(string name) => name switch
    {
        "cpu" => CPU,
        "cuda" when cuda.is_available() => CUDA,
        "cuda" => throw new ArgumentException("--device cuda: TorchSharp reports no CUDA device (torch.cuda.is_available() is false): "
            + "this build's libtorch is the CPU one or no GPU and driver were found; build with -p:DcdmTorchBackend=cuda where a CUDA libtorch is served, "
            + "or train with --device cpu"),
        "auto" => cuda.is_available() ? CUDA : CPU,
        _ => throw new ArgumentException($"--device {name}: expected {string.Join(", ", Names)}"),
    };
}
