using Dcdm.Models;
using Dcdm.Training.Loss;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>
/// The trainable form of <see cref="VCycleDirectionModel"/> (its summary gives the math): a multigrid V-cycle whose
/// red-black SOR weights are predicted from the cell flags. forward(r, flags): r is (B, 1, nz, ny, nx), flags
/// (1, 3, nz, ny, nx) for the batch's one geometry; the levels (flags, unknowns, diagonals) are made from the flags in
/// every forward, as the C# engine makes them (air wins over fluid, fluid over solid, in 2x2x2 blocks).
/// </summary>
public sealed class VCycleNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    readonly StencilBlock relax;
    readonly Tensor _transfer;

    /// <summary>The sweeps <c>train --arch vcycle</c> makes (metadata "sweeps" of its model files).</summary>
    public const int DefaultSweeps = 2;

    public int Channels { get; }
    public int Sweeps { get; }

    public VCycleNetwork(int channels, int sweeps = DefaultSweeps) : base(VCycleDirectionModel.ArchitectureName)
    {
        Channels = channels;
        Sweeps = sweeps;
        relax = new StencilBlock(VCycleDirectionModel.Block, StencilDirectionModel.FlagChannels, channels, sweeps);
        RegisterComponents();
        using (no_grad())
            foreach (var (name, p) in relax.named_parameters())
                if (name.StartsWith("stencil.")) p.zero_(); // w = 2 sigmoid(0) = 1: red-black Gauss-Seidel from the first step
        var w = new[] { 0.25f, 0.75f, 0.75f, 0.25f }; // the trilinear weights of a cell-centred fine cell (the tests' LevelOps.Coarse)
        var t = new float[64];
        for (int z = 0; z < 4; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) t[(z * 4 + y) * 4 + x] = w[z] * w[y] * w[x];
        _transfer = tensor(t, [1, 1, 4, 4, 4]);
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>One level: flags, unknowns' mask, diagonal, the red and black unknowns, the operator's scale 4^-l.</summary>
    sealed record Level(Tensor Flags, Tensor Unknown, Tensor Diagonal, Tensor Red, Tensor Black, double Scale);

    public override Tensor forward(Tensor r, Tensor flags)
    {
        using var scope = NewDisposeScope();
        var levels = Levels(flags.to_type(r.dtype));
        return Cycle(levels, 0, r * levels[0].Unknown).MoveToOuterDisposeScope();
    }

    Tensor Cycle(List<Level> levels, int l, Tensor b)
    {
        var level = levels[l];
        var x = zeros_like(b);
        if (l == levels.Count - 1)
        {
            for (int s = 0; s < VCycleDirectionModel.CoarsestSweeps; s++)
                foreach (var colour in new[] { level.Red, level.Black, level.Black, level.Red }) x = Relax(level, colour, null, b, x);
            return x;
        }
        var weights = 2 * nn.functional.sigmoid(relax.forward(level.Flags)); // (1, S, ...)
        for (int s = 0; s < Sweeps; s++)
        {
            x = Relax(level, level.Red, weights[.., s..(s + 1)], b, x);
            x = Relax(level, level.Black, weights[.., s..(s + 1)], b, x);
        }
        var coarse = levels[l + 1];
        var bc = Restrict(b - Operator(level, x)) * coarse.Unknown;
        x = x + Prolong(Cycle(levels, l + 1, bc), b.shape) * level.Unknown;
        for (int s = Sweeps - 1; s >= 0; s--)
        {
            x = Relax(level, level.Black, weights[.., s..(s + 1)], b, x);
            x = Relax(level, level.Red, weights[.., s..(s + 1)], b, x);
        }
        return x;
    }

    /// <summary>x += colour w (x_GS - x), x_GS = (b / s + sum of the neighbours' x) / d (w = 1 when null).</summary>
    Tensor Relax(Level level, Tensor colour, Tensor? weight, Tensor b, Tensor x)
    {
        var gaussSeidel = (b / level.Scale + ResidualLoss.Neighbours(x)) / level.Diagonal.clamp_min(1);
        var step = colour * (gaussSeidel - x);
        return x + (weight is null ? step : weight * step);
    }

    /// <summary>A constant kernel in v's type on v's device (kernels are no parameters: moving the module leaves them behind).</summary>
    static Tensor Like(Tensor constant, Tensor v) =>
        constant.dtype == v.dtype && constant.device_type == v.device_type ? constant : constant.to(v.dtype, v.device);

    /// <summary>The levels of the V-cycle: the same hierarchy as Core's GeometricGrids.Of.</summary>
    List<Level> Levels(Tensor flags)
    {
        var levels = new List<Level> { LevelOf(flags, 1) };
        while (Math.Max(flags.shape[2], Math.Max(flags.shape[3], flags.shape[4])) > 4)
        {
            flags = Coarsen(flags);
            var level = LevelOf(flags, levels[^1].Scale / 4);
            if (level.Unknown.sum().item<float>() == 0) break;
            levels.Add(level);
        }
        return levels;
    }

    Level LevelOf(Tensor flags, double scale)
    {
        var fluid = flags[.., 0..1];
        var diagonal = ResidualLoss.Neighbours(fluid + flags[.., 1..2]) * fluid;
        var unknown = (diagonal > 0).to_type(flags.dtype);
        long nz = flags.shape[2], ny = flags.shape[3], nx = flags.shape[4];
        var parity = ((arange(nz).reshape(nz, 1, 1) + arange(ny).reshape(1, ny, 1) + arange(nx).reshape(1, 1, nx)) % 2).to(flags.device);
        var red = (parity == 0).to_type(flags.dtype) * unknown;
        return new Level(flags, unknown, diagonal, red, unknown - red, scale);
    }

    /// <summary>2x2x2 blocks (zero padded to even sizes: outside counts as solid): air wins, then fluid.</summary>
    static Tensor Coarsen(Tensor flags)
    {
        var any = nn.functional.max_pool3d(PadToEven(flags)[.., 0..2], [2, 2, 2]);
        var air = any[.., 1..2];
        var fluid = any[.., 0..1] * (1 - air);
        return cat([fluid, air, 1 - air - fluid], 1);
    }

    static Tensor PadToEven(Tensor t)
    {
        long pz = t.shape[2] % 2, py = t.shape[3] % 2, px = t.shape[4] % 2;
        return pz + py + px > 0 ? nn.functional.pad(t, [0, px, 0, py, 0, pz]) : t;
    }

    /// <summary>A_l x: the level's masked 7-point operator times its scale.</summary>
    static Tensor Operator(Level level, Tensor x) => level.Scale * ResidualLoss.Apply(x, level.Unknown, level.Diagonal);

    /// <summary>R = P^T / 8.</summary>
    Tensor Restrict(Tensor fine) => nn.functional.conv3d(PadToEven(fine), Like(_transfer, fine), strides: [2, 2, 2], padding: [1, 1, 1]) / 8;

    /// <summary>P: trilinear from the coarse cells, zero past the grid's edge, cropped to the fine size.</summary>
    Tensor Prolong(Tensor coarse, long[] fine) =>
        nn.functional.conv_transpose3d(coarse, Like(_transfer, coarse), strides: [2, 2, 2], padding: [1, 1, 1])[.., .., ..(int)fine[2], ..(int)fine[3], ..(int)fine[4]];
}
