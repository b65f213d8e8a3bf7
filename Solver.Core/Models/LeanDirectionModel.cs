using System.Globalization;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// The "lean" direction network, evaluated in plain C# (no libtorch): a V-cycle whose blocks apply a
/// per-cell 3x3x3 stencil to the vector, the stencil predicted from the cell flags. It is linear in r
/// (nonlinear only in the geometry), so q scales with r, and everything that depends on the flags is
/// computed once in <see cref="Bind"/>; a direction then costs 27 multiply-adds per cell per block.
///
/// Layout (the same as Dcdm.Training's LeanNetwork, which trains it):
///   flags_0 = [fluid, air, solid] images; flags_{l+1} = 2x2x2 average of flags_l (zero-padded to even sizes)
///   stencil_b(flags) = Conv1x1(C -> 27)(ReLU(Conv3x3x3(3 -> C)(flags)))         for b in smooth, down, up, coarse
///   apply(S, v)(c) = sum_o S_o(c) v(c + o) over the 27 offsets o (dz, dy, dx in -1..1, x fastest), v = 0 outside
///   down:   s_l = apply(smooth(flags_l), x_l); x_{l+1} = avgpool(apply(down(flags_l), x_l))   (x_0 = r)
///   coarse: z_L = apply(coarse(flags_L), x_L)
///   up:     z_l = mix_0 s_l + 4 mix_1 apply(up(flags_l), trilinear(z_{l+1}))      (4: A^-1 grows as h^2)
///   q = z_0
/// The same weights serve every level and every grid size; the number of levels follows the grid (<see cref="GridPyramid"/>).
/// </summary>
public sealed class LeanDirectionModel : IDirectionModel
{
    public const string ArchitectureName = "lean";
    public const int FlagChannels = 3;
    public static readonly string[] Blocks = ["smooth", "down", "up", "coarse"];

    readonly Dictionary<string, StencilPredictor> _blocks = [];
    readonly float _mixSkip, _mixCoarse;

    public int Channels { get; }
    public string Description { get; }

    public LeanDirectionModel(ModelFile file)
    {
        if (file.Architecture != ArchitectureName)
            throw new ModelFileException(file.Metadata.GetValueOrDefault("source", "model"), $"architecture is '{file.Architecture}', this engine runs '{ArchitectureName}'");
        Channels = file.IntMetadata("channels", -1);
        if (Channels < 1) throw new ModelFileException(file.Metadata.GetValueOrDefault("source", "model"), "metadata 'channels' is missing or not a positive integer");
        foreach (var b in Blocks)
            _blocks[b] = new StencilPredictor(
                file.Tensor($"{b}.hidden.weight", Channels, FlagChannels, 3, 3, 3).Values, file.Tensor($"{b}.hidden.bias", Channels).Values,
                file.Tensor($"{b}.stencil.weight", 27, Channels, 1, 1, 1).Values, file.Tensor($"{b}.stencil.bias", 27).Values, Channels);
        var mix = file.Tensor("mix", 2).Values;
        _mixSkip = mix[0];
        _mixCoarse = mix[1];
        Description = string.Create(CultureInfo.InvariantCulture, $"lean, {Channels} channels, {ParameterCount(Channels)} parameters");
    }

    public static int ParameterCount(int channels) => Blocks.Length * (channels * FlagChannels * 27 + channels + 27 * channels + 27) + 2;

    /// <summary>Multiply-adds per fine cell of one direction once bound (three stencil applications per level; levels add 1/7).</summary>
    public static double MultiplyAddsPerCell => 27 * 3 * 8.0 / 7;

    /// <summary>Multiply-adds per fine cell of <see cref="Bind"/> (stencil prediction for smooth, down and up on every level).</summary>
    public static double SetupMultiplyAddsPerCell(int channels) => (channels * FlagChannels * 27 + 27 * channels) * 3 * 8.0 / 7;

    public IDirection Bind(PoissonGrid grid) => new LeanDirection(Stencils(grid));

    /// <summary>Where the shipped model came from (the file embedded in this assembly).</summary>
    public const string ShippedName = "data/models/lean.safetensors";

    /// <summary>The shipped model's file, embedded in this assembly (what <c>dcdm train</c> made; README, DCDM).</summary>
    public static ModelFile ShippedFile()
    {
        using var stream = typeof(LeanDirectionModel).Assembly.GetManifestResourceStream("lean.safetensors")
            ?? throw new InvalidOperationException($"the shipped model is not embedded in this build ({ShippedName} missing at build time)");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return ModelFile.Parse(memory.ToArray(), ShippedName);
    }

    /// <summary>The shipped model, ready to bind.</summary>
    public static LeanDirectionModel Shipped() => new(ShippedFile());

    /// <summary>Everything of the network that depends only on the geometry: the stencils of every level.</summary>
    public LeanStencils Stencils(PoissonGrid grid)
    {
        var levels = GridPyramid.Levels(grid.Nx, grid.Ny, grid.Nz);
        var flags = new float[levels.Count][];
        flags[0] = FlagImages(grid);
        for (int l = 0; l + 1 < levels.Count; l++) flags[l + 1] = GridOps.Pool(flags[l], FlagChannels, levels[l], levels[l + 1]);
        int last = levels.Count - 1;
        var smooth = new StencilField[last];
        var down = new StencilField[last];
        var up = new StencilField[last];
        for (int l = 0; l < last; l++)
        {
            var rows = StencilRows.Of(flags[l], levels[l]); // one slot array for the three blocks of the level
            smooth[l] = _blocks["smooth"].Predict(flags[l], levels[l], rows);
            down[l] = _blocks["down"].Predict(flags[l], levels[l], rows);
            up[l] = _blocks["up"].Predict(flags[l], levels[l], rows);
        }
        var coarse = _blocks["coarse"].Predict(flags[last], levels[last], StencilRows.Of(flags[last], levels[last]));
        return new LeanStencils(levels, smooth, down, up, coarse, _mixSkip, _mixCoarse);
    }

    /// <summary>[fluid, air, solid] indicator images, channel-major.</summary>
    public static float[] FlagImages(PoissonGrid grid)
    {
        int n = grid.CellCount;
        var f = new float[FlagChannels * n];
        var cells = grid.Cells;
        for (int i = 0; i < n; i++)
        {
            int channel = cells[i] switch { CellType.Fluid => 0, CellType.Air => 1, _ => 2 };
            f[channel * n + i] = 1;
        }
        return f;
    }

    /// <summary>One block's stencil predictor: Conv3x3x3(3 -> C), ReLU, Conv1x1(C -> 27).</summary>
    sealed class StencilPredictor
    {
        readonly float[] _hidden;       // [channel in][tap][C]: the C outputs of one tap are contiguous (one vector for C = 8)
        readonly float[] _hiddenBias;
        readonly float[] _stencil;      // [27][C]
        readonly float[] _stencilBias;
        readonly int _channels;

        public StencilPredictor(float[] hiddenWeight, float[] hiddenBias, float[] stencilWeight, float[] stencilBias, int channels)
        {
            _channels = channels;
            _hiddenBias = hiddenBias;
            _stencil = stencilWeight;
            _stencilBias = stencilBias;
            _hidden = new float[FlagChannels * 27 * channels];
            for (int c = 0; c < channels; c++)
                for (int k = 0; k < FlagChannels * 27; k++)
                    _hidden[k * channels + c] = hiddenWeight[c * FlagChannels * 27 + k];
        }

        /// <summary>
        /// The stencil of every cell: the uniform rows 0..2, then each other row computed once, at its
        /// representative cell (<see cref="StencilRows"/>). Every cell of a row has the same neighbourhood,
        /// so the stencil is the one its own cell would get.
        /// </summary>
        public StencilField Predict(float[] flags, (int Nx, int Ny, int Nz) size, StencilRows rows)
        {
            var table = new float[(FlagChannels + rows.Representative.Length) * 27];
            for (int t = 0; t < FlagChannels; t++) UniformStencil(t).CopyTo(table, t * 27);
            const int block = 256;
            Parallel.For(0, (rows.Representative.Length + block - 1) / block, k =>
            {
                var h = new float[_channels];
                for (int r = k * block; r < Math.Min(rows.Representative.Length, (k + 1) * block); r++)
                    StencilAt(flags, size, rows.Representative[r], h, table.AsSpan((FlagChannels + r) * 27, 27));
            });
            return new StencilField(rows.Slot, table);
        }

        /// <summary>The stencil of one cell: Conv3x3x3 of the flags around it (zero outside the grid), ReLU, Conv1x1.</summary>
        void StencilAt(float[] flags, (int Nx, int Ny, int Nz) size, int cell, float[] h, Span<float> into)
        {
            var (nx, ny, nz) = size;
            int n = nx * ny * nz, channels = _channels;
            int x = cell % nx, y = cell / nx % ny, z = cell / (nx * ny);
            _hiddenBias.CopyTo(h, 0);
            for (int ci = 0; ci < FlagChannels; ci++)
                for (int dz = 0; dz < 3; dz++)
                {
                    int zz = z + dz - 1;
                    if (zz < 0 || zz >= nz) continue;
                    for (int dy = 0; dy < 3; dy++)
                    {
                        int yy = y + dy - 1;
                        if (yy < 0 || yy >= ny) continue;
                        for (int dx = 0; dx < 3; dx++)
                        {
                            int xx = x + dx - 1;
                            if (xx < 0 || xx >= nx) continue;
                            float f = flags[ci * n + (zz * ny + yy) * nx + xx];
                            if (f == 0) continue; // flags are mostly one-hot: 1 of 3 channels per tap
                            int k = (ci * 3 + dz) * 9 + dy * 3 + dx;
                            AddScaled(h, _hidden.AsSpan(k * channels, channels), f);
                        }
                    }
                }
            Output(h, into);
        }

        /// <summary>ReLU, then the 1x1 convolution to the 27 stencil values.</summary>
        void Output(float[] h, Span<float> stencil)
        {
            for (int c = 0; c < h.Length; c++) h[c] = Math.Max(0f, h[c]);
            for (int o = 0; o < 27; o++) stencil[o] = _stencilBias[o] + Dot(_stencil.AsSpan(o * _channels, _channels), h);
        }

        /// <summary>The stencil of a cell whose 27 neighbours all have flag channel t = 1 and the others 0.</summary>
        float[] UniformStencil(int t)
        {
            var h = (float[])_hiddenBias.Clone();
            for (int k = 0; k < 27; k++) AddScaled(h, _hidden.AsSpan((t * 27 + k) * _channels, _channels), 1f);
            var stencil = new float[27];
            Output(h, stencil);
            return stencil;
        }

        static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            int c = 0;
            float sum = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                int width = System.Numerics.Vector<float>.Count;
                var acc = System.Numerics.Vector<float>.Zero;
                for (; c + width <= a.Length; c += width) acc += new System.Numerics.Vector<float>(a[c..]) * new System.Numerics.Vector<float>(b[c..]);
                sum = System.Numerics.Vector.Sum(acc);
            }
            for (; c < a.Length; c++) sum += a[c] * b[c];
            return sum;
        }

        /// <summary>h += f w, vectorised over the channels.</summary>
        static void AddScaled(Span<float> h, ReadOnlySpan<float> w, float f)
        {
            int c = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated)
            {
                int width = System.Numerics.Vector<float>.Count;
                var scale = new System.Numerics.Vector<float>(f);
                for (; c + width <= h.Length; c += width)
                    (new System.Numerics.Vector<float>(h[c..]) + scale * new System.Numerics.Vector<float>(w[c..])).CopyTo(h[c..]);
            }
            for (; c < h.Length; c++) h[c] += f * w[c];
        }
    }

    /// <summary>The model bound to one grid: stencils of every level, work buffers for the V-cycle.</summary>
    sealed class LeanDirection : IDirection
    {
        readonly IReadOnlyList<(int Nx, int Ny, int Nz)> _levels;
        readonly StencilField[] _smooth, _down, _up;
        readonly StencilField _coarse;
        readonly float _mixSkip, _mixCoarse;
        readonly float[][] _x, _skip, _z, _work;

        public LeanDirection(LeanStencils stencils)
        {
            var levels = stencils.Levels;
            _levels = levels;
            _smooth = stencils.Smooth; _down = stencils.Down; _up = stencils.Up; _coarse = stencils.Coarse;
            _mixSkip = stencils.MixSkip; _mixCoarse = stencils.MixCoarse;
            int count = levels.Count;
            _x = new float[count][]; _skip = new float[count][]; _z = new float[count][]; _work = new float[count][];
            for (int l = 0; l < count; l++)
            {
                int n = levels[l].Item1 * levels[l].Item2 * levels[l].Item3;
                _x[l] = new float[n]; _skip[l] = new float[n]; _work[l] = new float[n];
                // x is read only on the way down and z written only on the way up, so they share a buffer;
                // on the coarsest level z = S x needs its own
                _z[l] = l == count - 1 ? new float[n] : _x[l];
            }
        }

        public void Apply(ReadOnlySpan<float> r, Span<float> q)
        {
            int last = _levels.Count - 1;
            if (r.Length != _x[0].Length || q.Length != _x[0].Length)
                throw new ArgumentException($"r and q must have {_x[0].Length} entries (one per grid cell), got {r.Length} and {q.Length}");
            r.CopyTo(_x[0]);
            for (int l = 0; l < last; l++)
            {
                GridOps.ApplyStencil(_smooth[l], _x[l], _skip[l], _levels[l]);
                GridOps.ApplyStencil(_down[l], _x[l], _work[l], _levels[l]);
                GridOps.PoolInto(_work[l], _levels[l], _levels[l + 1], _x[l + 1]);
            }
            GridOps.ApplyStencil(_coarse, _x[last], _z[last], _levels[last]);
            for (int l = last - 1; l >= 0; l--)
            {
                GridOps.UpsampleInto(_z[l + 1], _levels[l + 1], _levels[l], _work[l]);
                GridOps.ApplyStencil(_up[l], _work[l], _z[l], _levels[l]);
                GridOps.Mix(_mixSkip, _skip[l], 4 * _mixCoarse, _z[l]);
            }
            _z[0].CopyTo(q);
        }
    }
}
