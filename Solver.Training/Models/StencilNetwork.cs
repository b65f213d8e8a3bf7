using Dcdm.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>
/// The trainable form of <see cref="StencilDirectionModel"/> (its summary gives the math): a V-cycle of
/// per-cell stencils predicted from the cell flags, linear in r, one set of weights for every level.
/// forward(r, flags): r is (B, 1, nz, ny, nx), flags (1, 3, nz, ny, nx) for the batch's one geometry,
/// so the stencils are computed once per batch.
/// </summary>
public sealed class StencilNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    readonly StencilBlock smooth, down, up, coarse;
    readonly Parameter mix;
    Tensor _shifts;

    public int Channels { get; }

    public StencilNetwork(int channels) : base(StencilDirectionModel.ArchitectureName)
    {
        Channels = channels;
        smooth = new StencilBlock("smooth", StencilDirectionModel.FlagChannels, channels);
        down = new StencilBlock("down", StencilDirectionModel.FlagChannels, channels);
        up = new StencilBlock("up", StencilDirectionModel.FlagChannels, channels);
        coarse = new StencilBlock("coarse", StencilDirectionModel.FlagChannels, channels);
        mix = new Parameter(tensor(new float[] { 1f, 1f }));
        RegisterComponents();
        // one-hot kernels: channel o of conv3d(v, shifts) is v shifted by offset o (x fastest)
        var k = new float[27 * 27];
        for (int o = 0; o < 27; o++) k[o * 27 + o] = 1;
        _shifts = tensor(k, [27, 1, 3, 3, 3]);
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    public override Tensor forward(Tensor r, Tensor flags)
    {
        using var scope = NewDisposeScope();
        var sizes = GridPyramid.Levels((int)r.shape[4], (int)r.shape[3], (int)r.shape[2]);
        int last = sizes.Count - 1;
        var levelFlags = new Tensor[sizes.Count];
        levelFlags[0] = flags;
        for (int l = 0; l < last; l++) levelFlags[l + 1] = Pool(levelFlags[l]);
        var skips = new Tensor[last];
        var x = r;
        for (int l = 0; l < last; l++)
        {
            skips[l] = Apply(smooth.forward(levelFlags[l]), x);
            x = Pool(Apply(down.forward(levelFlags[l]), x));
        }
        var z = Apply(coarse.forward(levelFlags[last]), x);
        for (int l = last - 1; l >= 0; l--)
        {
            var u = Upsample(z, sizes[l]);
            u = Apply(up.forward(levelFlags[l]), u);
            z = mix[0] * skips[l] + 4 * mix[1] * u;
        }
        return z.MoveToOuterDisposeScope();
    }

    /// <summary>y(c) = sum_o S_o(c) v(c + o).</summary>
    Tensor Apply(Tensor stencil, Tensor v) =>
        (stencil * nn.functional.conv3d(v, ShiftsBeside(v), padding: [1, 1, 1])).sum(1, keepdim: true);

    /// <summary>The one-hot kernels on v's device: they are no parameter, so moving the module leaves them where they were made.</summary>
    Tensor ShiftsBeside(Tensor v)
    {
        if (_shifts.device_type == v.device_type && _shifts.device_index == v.device_index) return _shifts;
        var moved = _shifts.to(v.device).DetachFromDisposeScope();
        _shifts.Dispose();
        return _shifts = moved;
    }

    /// <summary>2x2x2 average after zero padding to even sizes.</summary>
    static Tensor Pool(Tensor t)
    {
        long pz = t.shape[2] % 2, py = t.shape[3] % 2, px = t.shape[4] % 2;
        if (pz + py + px > 0) t = nn.functional.pad(t, [0, px, 0, py, 0, pz]);
        return nn.functional.avg_pool3d(t, [2, 2, 2]);
    }

    /// <summary>Trilinear (align_corners = false) to twice the coarse size, cropped to the fine size.</summary>
    static Tensor Upsample(Tensor z, (int Nx, int Ny, int Nz) fine)
    {
        var u = nn.functional.interpolate(z, size: [z.shape[2] * 2, z.shape[3] * 2, z.shape[4] * 2], mode: InterpolationMode.Trilinear, align_corners: false);
        return u[.., .., ..fine.Nz, ..fine.Ny, ..fine.Nx];
    }
}
