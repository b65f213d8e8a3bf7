using System.Globalization;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// The "vcycle" direction network: a geometric multigrid V-cycle whose smoothers are learned. The levels, the
/// operators, restriction and prolongation are those of <see cref="MultigridPreconditioner"/> (coarse flags air &gt;
/// fluid &gt; solid, the 7-point operator of every level times 4^-l, R = P^T / 8, trilinear P); only the smoothing is
/// learned: a 27-point stencil per cell predicted from the 3x3x3 flags around it, one before and one after the
/// coarse correction. The coarse correction carries what is global (the solution's smooth part, the connectivity
/// of the fluid), the learned stencils what is local (walls, free surfaces, thin gaps), so a geometry the model
/// never saw still gets a cycle that converges.
///
/// On level l (b_0 = r; s_l = 4^l undoes the operator's scale; flags one-hot on every level):
///   x = s_l pre(flags_l) b_l;  b_{l+1} = R (b_l - A_l x);  x += P x_{l+1};  x += s_l post(flags_l) (b_l - A_l x)
///   coarsest level: symmetric red-black Gauss-Seidel sweeps from zero (<see cref="CoarsestSweeps"/>)
///   stencil_b(flags) = Conv1x1(C -> 27)(ReLU(Conv3x3x3(3 -> C)(flags)))   for b in pre, post
/// Linear in r, so q scales with r; the same weights serve every level and grid size. Dcdm.Training's
/// VCycleNetwork trains it.
/// </summary>
public sealed class VCycleDirectionModel : IDirectionModel
{
    public const string ArchitectureName = "vcycle";
    public const int CoarsestSweeps = 10;
    public static readonly string[] Blocks = ["pre", "post"];

    readonly StencilPredictor _pre, _post;

    public int Channels { get; }
    public string Description { get; }

    public VCycleDirectionModel(ModelFile file)
    {
        string source = file.Metadata.GetValueOrDefault("source", "model");
        if (file.Architecture != ArchitectureName)
            throw new ModelFileException(source, $"architecture is '{file.Architecture}', this engine runs '{ArchitectureName}'");
        Channels = file.IntMetadata("channels", -1);
        if (Channels < 1) throw new ModelFileException(source, "metadata 'channels' is missing or not a positive integer");
        _pre = Predictor(file, "pre");
        _post = Predictor(file, "post");
        Description = string.Create(CultureInfo.InvariantCulture, $"vcycle, {Channels} channels, {ParameterCount(Channels)} parameters");
    }

    StencilPredictor Predictor(ModelFile file, string block) => new(
        file.Tensor($"{block}.hidden.weight", Channels, LeanDirectionModel.FlagChannels, 3, 3, 3).Values, file.Tensor($"{block}.hidden.bias", Channels).Values,
        file.Tensor($"{block}.stencil.weight", 27, Channels, 1, 1, 1).Values, file.Tensor($"{block}.stencil.bias", 27).Values, Channels);

    public static int ParameterCount(int channels) => Blocks.Length * (channels * LeanDirectionModel.FlagChannels * 27 + channels + 27 * channels + 27);

    /// <summary>
    /// Multiply-adds per fine cell of one direction: per level two 27-point stencils, two 7-point residuals, restriction
    /// (64 taps per coarse cell) and prolongation (8 per fine cell); the levels add 1/7.
    /// </summary>
    public static double MultiplyAddsPerCell => (2 * 27 + 2 * 7 + 64 / 8.0 + 8) * 8.0 / 7;

    public IDirection Bind(PoissonGrid grid)
    {
        var grids = MultigridLevel.Grids(grid);
        var levels = new VCycleLevel[grids.Count];
        for (int l = 0; l < grids.Count; l++)
        {
            var g = grids[l];
            var size = (g.Nx, g.Ny, g.Nz);
            StencilField? pre = null, post = null;
            if (l + 1 < grids.Count)
            {
                var flags = LeanDirectionModel.FlagImages(g);
                var rows = StencilRows.Of(flags, size); // one-hot on every level: few distinct neighbourhoods
                pre = _pre.Predict(flags, size, rows);
                post = _post.Predict(flags, size, rows);
            }
            levels[l] = new VCycleLevel(g.Nx, g.Ny, g.Nz, CellDiagonal.Of(g), Math.Pow(4, -l), pre, post);
        }
        return new VCycleDirection(levels);
    }
}
