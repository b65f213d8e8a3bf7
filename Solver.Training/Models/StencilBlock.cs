using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>
/// Predicts a 3x3x3 stencil per cell from the flag images: Conv3x3x3(flags -> C), ReLU, Conv1x1(C -> 27).
/// Nonlinear in the geometry only; the network applies the stencil linearly to the vector.
/// </summary>
public sealed class StencilBlock : nn.Module<Tensor, Tensor>
{
    readonly Conv3d hidden;
    readonly Conv3d stencil;

    /// <param name="outputs">27 for a stencil (started near Jacobi's step); other counts start at the 1x1 convolution's default.</param>
    public StencilBlock(string name, int flagChannels, int channels, int outputs = 27) : base(name)
    {
        hidden = nn.Conv3d(flagChannels, channels, 3, padding: 1);
        stencil = nn.Conv3d(channels, outputs, 1);
        RegisterComponents();
        if (outputs != 27) return;
        using (no_grad())
        {
            // start near a scaled identity (q = r / 6, Jacobi's step on the 7-point Laplacian)
            stencil.weight!.mul_(0.1);
            stencil.bias!.zero_();
            stencil.bias![13] = 1.0 / 6;
        }
    }

    /// <summary>(1, flags, nz, ny, nx) -> (1, outputs, nz, ny, nx).</summary>
    public override Tensor forward(Tensor flags) => stencil.forward(nn.functional.relu(hidden.forward(flags)));
}
