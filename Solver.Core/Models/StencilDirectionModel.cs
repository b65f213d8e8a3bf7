using System.Globalization;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// The "stencil" direction network, evaluated in plain C# (no libtorch): a V-cycle whose blocks apply a
/// per-cell 3x3x3 stencil to the vector, the stencil predicted from the cell flags. It is linear in r
/// (nonlinear only in the geometry), so q scales with r, and everything that depends on the flags is
/// computed once in <see cref="Bind"/>; a direction then costs 27 multiply-adds per cell per block.
/// The same weights serve every level and every grid size; the number of levels follows the grid (<see cref="GridPyramid"/>).
/// </summary>
/// <remarks>
/// Layout (the same as Dcdm.Training's StencilNetwork, which trains it):
/// <code>
/// flags_0 = [fluid, air, solid] images; flags_{l+1} = 2x2x2 average of flags_l (zero-padded to even sizes)
/// stencil_b(flags) = Conv1x1(C -> 27)(ReLU(Conv3x3x3(3 -> C)(flags)))         for b in smooth, down, up, coarse
/// apply(S, v)(c) = sum_o S_o(c) v(c + o) over the 27 offsets o (dz, dy, dx in -1..1, x fastest), v = 0 outside
/// down:   s_l = apply(smooth(flags_l), x_l); x_{l+1} = avgpool(apply(down(flags_l), x_l))   (x_0 = r)
/// coarse: z_L = apply(coarse(flags_L), x_L)
/// up:     z_l = mix_0 s_l + 4 mix_1 apply(up(flags_l), trilinear(z_{l+1}))      (4: A^-1 grows as h^2)
/// q = z_0
/// </code>
/// </remarks>
public sealed class StencilDirectionModel : IDirectionModel
{
    public const string ArchitectureName = "stencil";
    public const int FlagChannels = 3;
    public static readonly string[] Blocks = ["smooth", "down", "up", "coarse"];

    readonly Dictionary<string, StencilPredictor> _blocks = [];
    readonly float _mixSkip, _mixCoarse;

    public int Channels { get; }
    public string Description { get; }

    public StencilDirectionModel(ModelFile file)
    {
        file.RequireArchitecture(ArchitectureName);
        Channels = file.RequiredInt("channels", 1);
        foreach (var b in Blocks) _blocks[b] = StencilPredictor.From(file, b, Channels);
        var mix = file.Tensor("mix", 2).Values;
        _mixSkip = mix[0];
        _mixCoarse = mix[1];
        Description = string.Create(CultureInfo.InvariantCulture, $"stencil, {Channels} channels, {ParameterCount(Channels)} parameters");
    }

    public static int ParameterCount(int channels) => Blocks.Length * (channels * FlagChannels * 27 + channels + 27 * channels + 27) + 2;

    /// <summary>Multiply-adds per fine cell of one direction once bound (three stencil applications per level; levels add 1/7).</summary>
    public static double MultiplyAddsPerCell => 27 * 3 * 8.0 / 7;

    /// <summary>Multiply-adds per fine cell of <see cref="Bind"/> (stencil prediction for smooth, down and up on every level).</summary>
    public static double SetupMultiplyAddsPerCell(int channels) => (channels * FlagChannels * 27 + 27 * channels) * 3 * 8.0 / 7;

    public IDirection Bind(PoissonGrid grid) => new StencilVCycle(Stencils(grid));

    /// <summary>Where the shipped stencil model came from (embedded in this assembly).</summary>
    public static string ShippedName => ShippedModels.PathOf(ArchitectureName);

    /// <summary>The shipped stencil model's file (<see cref="ShippedModels"/>).</summary>
    public static ModelFile ShippedFile() => ShippedModels.File(ArchitectureName);

    /// <summary>The shipped stencil model, ready to bind.</summary>
    public static StencilDirectionModel Shipped() => new(ShippedFile());

    /// <summary>Everything of the network that depends only on the geometry: the stencils of every level.</summary>
    public StencilHierarchy Stencils(PoissonGrid grid)
    {
        var levels = GridPyramid.Levels(grid.Nx, grid.Ny, grid.Nz);
        var flags = new float[levels.Count][];
        flags[0] = FlagImages(grid);
        for (int l = 0; l + 1 < levels.Count; l++) flags[l + 1] = NetworkLayers.Pool(flags[l], FlagChannels, levels[l], levels[l + 1]);
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
        return new StencilHierarchy(levels, smooth, down, up, coarse, _mixSkip, _mixCoarse);
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
}
