using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>
/// The paper's "from64" network (Kaneda et al. 2023), as its public code lays it out: every convolution
/// 3x3x3, 16 channels, zero "same" padding, with bias; R = ReLU(Conv 16 -> 16), residual adds after the ReLU.
///   x0 = Conv(1 -> 16)(r); la = R(x0); lb = R(la); la = R(lb) + la; lb = R(la)
///   apa = AvgPool2(lb); 3 times: apb = R(apa); apa = R(apb) + apa
///   upa = NearestUpsample2(apa) + lb; 2 times: upb = R(upa); upa = R(upb) + upa
///   out = Conv1x1(16 -> 1)(upa)
/// 97,457 parameters; 60,928 multiply-adds per cell. Cell flags are not an input (forward ignores them).
/// Odd sizes are zero-padded to even before pooling and cropped after upsampling.
/// </summary>
public sealed class PaperNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    public const string ArchitectureName = "paper";
    const int Width = 16;

    readonly Conv3d input, output;
    readonly ModuleList<Conv3d> fine, half, up;

    public PaperNetwork() : base(ArchitectureName)
    {
        input = nn.Conv3d(1, Width, 3, padding: 1);
        fine = new ModuleList<Conv3d>(Enumerable.Range(0, 4).Select(_ => nn.Conv3d(Width, Width, 3, padding: 1)).ToArray());
        half = new ModuleList<Conv3d>(Enumerable.Range(0, 6).Select(_ => nn.Conv3d(Width, Width, 3, padding: 1)).ToArray());
        up = new ModuleList<Conv3d>(Enumerable.Range(0, 4).Select(_ => nn.Conv3d(Width, Width, 3, padding: 1)).ToArray());
        output = nn.Conv3d(Width, 1, 1);
        RegisterComponents();
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>Multiply-adds per fine cell: 8 full-resolution 16 -> 16 convolutions, 6 at half resolution, the input and output layers.</summary>
    public static double MultiplyAddsPerCell => 8 * Width * Width * 27 + 6 * Width * Width * 27 / 8.0 + Width * 27 + Width;

    public override Tensor forward(Tensor r, Tensor flags)
    {
        using var scope = NewDisposeScope();
        Tensor R(Conv3d c, Tensor t) => nn.functional.relu(c.forward(t));
        long nz = r.shape[2], ny = r.shape[3], nx = r.shape[4];
        var x0 = input.forward(r);
        var la = R(fine[0], x0);
        var lb = R(fine[1], la);
        la = R(fine[2], lb) + la;
        lb = R(fine[3], la);
        var padded = (nz % 2 + ny % 2 + nx % 2) > 0 ? nn.functional.pad(lb, [0, nx % 2, 0, ny % 2, 0, nz % 2]) : lb;
        var apa = nn.functional.avg_pool3d(padded, [2, 2, 2]);
        for (int i = 0; i < 3; i++)
        {
            var apb = R(half[2 * i], apa);
            apa = R(half[2 * i + 1], apb) + apa;
        }
        var upa = nn.functional.interpolate(apa, scale_factor: [2, 2, 2], mode: InterpolationMode.Nearest)[.., .., ..(int)nz, ..(int)ny, ..(int)nx] + lb;
        for (int i = 0; i < 2; i++)
        {
            var upb = R(up[2 * i], upa);
            upa = R(up[2 * i + 1], upb) + upa;
        }
        return output.forward(upa).MoveToOuterDisposeScope();
    }
}
