using Dcdm.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Dcdm.Training.Networks;

/// <summary>
/// The trainable form of <see cref="VCycleDirectionModel"/> (its summary gives the math): a multigrid V-cycle with
/// learned smoothers. forward(r, flags): r is (B, 1, nz, ny, nx), flags (1, 3, nz, ny, nx) for the batch's one
/// geometry; the levels (flags, unknowns, diagonals) are made from the flags in every forward, as the C# engine
/// makes them (air wins over fluid, fluid over solid, in 2x2x2 blocks).
/// </summary>
public sealed class VCycleNetwork : nn.Module<Tensor, Tensor, Tensor>
{
    readonly StencilBlock pre, post;
    readonly Tensor _shifts, _neighbours, _transfer;

    public int Channels { get; }

    public VCycleNetwork(int channels) : base(VCycleDirectionModel.ArchitectureName)
    {
        Channels = channels;
        pre = new StencilBlock("pre", LeanDirectionModel.FlagChannels, channels);
        post = new StencilBlock("post", LeanDirectionModel.FlagChannels, channels);
        RegisterComponents();
        using (no_grad())
            foreach (var block in new[] { pre, post })
                foreach (var (name, p) in block.named_parameters())
                {
                    // damped Jacobi (omega 6/7) in the open: a smoother from the first step, refined from there
                    if (name == "stencil.weight") p.zero_();
                    if (name == "stencil.bias") p[13] = 1.0 / 7;
                }
        var k = new float[27 * 27];
        for (int o = 0; o < 27; o++) k[o * 27 + o] = 1;
        _shifts = tensor(k, [27, 1, 3, 3, 3]);
        var n = new float[27];
        foreach (int o in new[] { 4, 10, 12, 14, 16, 22 }) n[o] = 1;
        _neighbours = tensor(n, [1, 1, 3, 3, 3]);
        var w = new[] { 0.25f, 0.75f, 0.75f, 0.25f }; // the trilinear weights of a cell-centred fine cell (LevelOps.Coarse)
        var t = new float[64];
        for (int z = 0; z < 4; z++) for (int y = 0; y < 4; y++) for (int x = 0; x < 4; x++) t[(z * 4 + y) * 4 + x] = w[z] * w[y] * w[x];
        _transfer = tensor(t, [1, 1, 4, 4, 4]);
    }

    public long ParameterCount => parameters().Sum(p => p.numel());

    /// <summary>One level: flags (1, 3, ...), unknowns' mask and diagonal (1, 1, ...), the operator's scale 4^-l.</summary>
    sealed record Level(Tensor Flags, Tensor Unknown, Tensor Diagonal, double Scale);

    public override Tensor forward(Tensor r, Tensor flags)
    {
        using var scope = NewDisposeScope();
        var levels = Levels(flags.to_type(r.dtype));
        var q = Cycle(levels, 0, r * levels[0].Unknown);
        return q.MoveToOuterDisposeScope();
    }

    Tensor Cycle(List<Level> levels, int l, Tensor b)
    {
        var level = levels[l];
        if (l == levels.Count - 1) return CoarsestSolve(level, b);
        double scale = 1 / level.Scale;
        var x = Apply(pre.forward(level.Flags), b) * (scale * level.Unknown);
        var coarse = levels[l + 1];
        var bc = Restrict(b - Operator(level, x)) * coarse.Unknown;
        x = x + Prolong(Cycle(levels, l + 1, bc), b.shape) * level.Unknown;
        return x + Apply(post.forward(level.Flags), b - Operator(level, x)) * (scale * level.Unknown);
    }

    /// <summary>The levels of the V-cycle: the same hierarchy as MultigridLevel.Hierarchy.</summary>
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
        var open = fluid + flags[.., 1..2];
        var diagonal = nn.functional.conv3d(open, _neighbours.to_type(flags.dtype), padding: [1, 1, 1]) * fluid;
        return new Level(flags, (diagonal > 0).to_type(flags.dtype), diagonal, scale);
    }

    /// <summary>2x2x2 blocks (zero padded to even sizes: outside counts as solid): air wins, then fluid.</summary>
    static Tensor Coarsen(Tensor flags)
    {
        var padded = PadToEven(flags);
        var any = nn.functional.max_pool3d(padded[.., 0..2], [2, 2, 2]);
        var air = any[.., 1..2];
        var fluid = any[.., 0..1] * (1 - air);
        return cat([fluid, air, 1 - air - fluid], 1);
    }

    static Tensor PadToEven(Tensor t)
    {
        long pz = t.shape[2] % 2, py = t.shape[3] % 2, px = t.shape[4] % 2;
        return pz + py + px > 0 ? nn.functional.pad(t, [0, px, 0, py, 0, pz]) : t;
    }

    /// <summary>A_l x = s (d x - sum of the 6 neighbours), x 0 off the unknowns.</summary>
    Tensor Operator(Level level, Tensor x) =>
        level.Scale * level.Unknown * (level.Diagonal * x - nn.functional.conv3d(x, _neighbours.to_type(x.dtype), padding: [1, 1, 1]));

    /// <summary>R = P^T / 8.</summary>
    Tensor Restrict(Tensor fine) => nn.functional.conv3d(PadToEven(fine), _transfer.to_type(fine.dtype), strides: [2, 2, 2], padding: [1, 1, 1]) / 8;

    /// <summary>P: trilinear from the coarse cells, zero past the grid's edge, cropped to the fine size.</summary>
    Tensor Prolong(Tensor coarse, long[] fine) =>
        nn.functional.conv_transpose3d(coarse, _transfer.to_type(coarse.dtype), strides: [2, 2, 2], padding: [1, 1, 1])[.., .., ..(int)fine[2], ..(int)fine[3], ..(int)fine[4]];

    /// <summary>Symmetric red-black Gauss-Seidel sweeps from zero: red, black, black, red, as LevelOps on the coarsest level.</summary>
    Tensor CoarsestSolve(Level level, Tensor b)
    {
        long nz = b.shape[2], ny = b.shape[3], nx = b.shape[4];
        var parity = (arange(nz).reshape(nz, 1, 1) + arange(ny).reshape(1, ny, 1) + arange(nx).reshape(1, 1, nx)) % 2;
        var red = (parity == 0).to_type(b.dtype) * level.Unknown;
        var black = (parity == 1).to_type(b.dtype) * level.Unknown;
        var inverse = level.Unknown / level.Diagonal.clamp_min(1);
        var x = zeros_like(b);
        for (int s = 0; s < VCycleDirectionModel.CoarsestSweeps; s++)
            foreach (var colour in new[] { red, black, black, red })
            {
                var update = (b / level.Scale + nn.functional.conv3d(x, _neighbours.to_type(x.dtype), padding: [1, 1, 1])) * inverse;
                x = x + colour * (update - x);
            }
        return x;
    }

    /// <summary>y(c) = sum_o S_o(c) v(c + o).</summary>
    Tensor Apply(Tensor stencil, Tensor v) =>
        (stencil * nn.functional.conv3d(v, _shifts.to_type(v.dtype), padding: [1, 1, 1])).sum(1, keepdim: true);
}
