namespace Dcdm.Training.Convolutions;

/// <summary>
/// The convolutions a process trains and infers with on one device, after <see cref="TorchConvolutions.Verify"/>:
/// which implementation, the check it passed, and a one-line note when dcdm had to switch away from libtorch's default.
/// </summary>
public sealed record ConvolutionPath(string Name, ConvolutionCheckResult Check, string? Note)
{
    /// <summary>libtorch's default: oneDNN on a CPU, cuDNN on CUDA.</summary>
    public bool IsDefault => Note is null;
}
