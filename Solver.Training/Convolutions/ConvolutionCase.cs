namespace Dcdm.Training.Convolutions;

/// <summary>
/// One convolution shape of the self-check: conv3d (or its transpose) from <see cref="InChannels"/> to
/// <see cref="OutChannels"/> with a cubic kernel, stride and padding, on a batch of grids of <see cref="Size"/>.
/// Shapes are chosen so that libtorch takes its oneDNN path (batch above 1 or kernels above 3), as training does.
/// </summary>
public sealed record ConvolutionCase(string Name, bool Transposed, int Batch, int InChannels, int OutChannels, int Kernel, int Stride, int Padding,
    (int Nz, int Ny, int Nx) Size)
{
    /// <summary>The layers the shipped architectures use: 3x3x3 and 1x1x1 convolutions, stride-2 restriction and its transpose.</summary>
    public static IReadOnlyList<ConvolutionCase> Standard { get; } =
    [
        new("conv3d 3x3x3, 16 to 16 channels (paper network)", false, 2, 16, 16, 3, 1, 1, (5, 6, 7)),
        new("conv3d 3x3x3, 3 to 8 channels (stencil predictors)", false, 2, 3, 8, 3, 1, 1, (6, 5, 7)),
        new("conv3d 1x1x1, 8 to 7 channels", false, 2, 8, 7, 1, 1, 0, (4, 5, 6)),
        new("conv3d 4x4x4 stride 2, 1 channel (vcycle restriction)", false, 1, 1, 1, 4, 2, 1, (10, 8, 12)),
        new("conv_transpose3d 4x4x4 stride 2, 1 channel (vcycle prolongation)", true, 1, 1, 1, 4, 2, 1, (4, 5, 6)),
        new("conv3d 4x4x4 stride 2, 1 channel, batch 4 (training)", false, 4, 1, 1, 4, 2, 1, (6, 6, 8)),
        // the sizes training meets: oneDNN picks its kernel by shape, so tiny shapes alone prove little
        new("conv3d 4x4x4 stride 2, batch 8 at 32^3 (vcycle training)", false, 8, 1, 1, 4, 2, 1, (32, 32, 32)),
        new("conv3d 3x3x3, 3 to 8 channels, batch 16 (stencil training)", false, 16, 3, 8, 3, 1, 1, (10, 12, 11)),
    ];

    /// <summary>The output grid: (n + 2 pad - k) / s + 1 for a convolution, (n - 1) s - 2 pad + k for its transpose.</summary>
    public (int Nz, int Ny, int Nx) OutputSize => Transposed
        ? (Up(Size.Nz), Up(Size.Ny), Up(Size.Nx))
        : (Down(Size.Nz), Down(Size.Ny), Down(Size.Nx));

    int Down(int n) => (n + 2 * Padding - Kernel) / Stride + 1;
    int Up(int n) => (n - 1) * Stride - 2 * Padding + Kernel;

    /// <summary>Weight shape as torch stores it: (out, in, k, k, k) for conv3d, (in, out, k, k, k) for its transpose.</summary>
    public long[] WeightShape => Transposed ? [InChannels, OutChannels, Kernel, Kernel, Kernel] : [OutChannels, InChannels, Kernel, Kernel, Kernel];
}
