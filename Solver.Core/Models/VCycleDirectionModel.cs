using System.Globalization;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Models;

/// <summary>
/// The "vcycle" direction network: a geometric multigrid V-cycle whose smoothing is learned. The levels, operators,
/// restriction and prolongation are geometric (<see cref="GeometricGrids"/>: coarse flags air &gt; fluid &gt;
/// solid, the 7-point operator of every level times 4^-l, R = P^T / 8, trilinear P); the smoother is red-black
/// successive over-relaxation whose weight per cell and sweep is predicted from the 3x3x3 flags around the cell.
/// The coarse correction carries what is global (the solution's smooth part, the fluid's connectivity), the learned
/// weights what is local (walls, free surfaces, thin gaps, corners). Linear in r, so q scales with r; one set of
/// weights serves every level and grid size. Dcdm.Training's VCycleNetwork trains it (zero output weights at the
/// start: plain red-black Gauss-Seidel, w = 1).
/// </summary>
/// <remarks>
/// <para>Whatever the weights, the cycle is a symmetric positive-definite preconditioner: every weight is 2 sigmoid(u) in
/// (0, 2), where SOR converges for any SPD operator, and the sweeps after the coarse correction are those before it in
/// reverse (black then red, last sweep first), so a geometry the model never saw still gets a convergent cycle.</para>
/// On level l (b_0 = r), the coarsest level relaxed by symmetric Gauss-Seidel (<see cref="CoarsestSweeps"/>):
/// <code>
/// x = SOR sweeps from 0 (red then black; weights w_1..w_S);  b_{l+1} = R (b_l - A_l x);  x += P x_{l+1};
/// SOR sweeps in reverse (black then red; w_S..w_1)
/// w(flags) = 2 sigmoid(Conv1x1(C -> S)(ReLU(Conv3x3x3(3 -> C)(flags))))
/// </code>
/// </remarks>
public sealed class VCycleDirectionModel : IDirectionModel
{
    public const string ArchitectureName = "vcycle";
    public const int CoarsestSweeps = 10;
    public const string Block = "relax";

    readonly StencilPredictor _relax;

    public int Channels { get; }
    /// <summary>S, the SOR sweeps before (and after) each coarse correction: metadata "sweeps".</summary>
    public int Sweeps { get; }
    public string Description { get; }

    public VCycleDirectionModel(ModelFile file)
    {
        file.RequireArchitecture(ArchitectureName);
        Channels = file.RequiredInt("channels", 1);
        Sweeps = file.RequiredInt("sweeps", 1, 8);
        _relax = StencilPredictor.From(file, Block, Channels, Sweeps);
        Description = string.Create(CultureInfo.InvariantCulture, $"vcycle, {Sweeps} learned SOR sweeps, {Channels} channels, {ParameterCount(Channels, Sweeps)} parameters");
    }

    /// <summary>The shipped vcycle model (dcdm's default), ready to bind.</summary>
    public static VCycleDirectionModel Shipped() => new(ShippedModels.File(ArchitectureName));

    public static int ParameterCount(int channels, int sweeps) => channels * StencilDirectionModel.FlagChannels * 27 + channels + sweeps * channels + sweeps;

    /// <summary>
    /// Multiply-adds per fine cell of one direction: 2S SOR sweeps (about 9 each), two 7-point residuals, restriction and
    /// prolongation (one axis at a time: about 8 each); the levels add 1/7.
    /// </summary>
    public static double MultiplyAddsPerCell(int sweeps) => (2 * sweeps * 9 + 2 * 8 + 16) * 8.0 / 7;

    /// <summary>
    /// The direction DCDM runs on the CPU: the aggregate K-cycle of pcg-mg (<see cref="AggregateMultigrid"/>, coarse
    /// levels that keep thin walls), its fine sweeps SOR with this model's weights for the fine grid.
    /// </summary>
    public IDirection Bind(PoissonGrid grid)
    {
        var diagonal = grid.Diagonal;
        var flags = StencilDirectionModel.FlagImages(grid);
        var size = (grid.Nx, grid.Ny, grid.Nz);
        var weights = Weights(_relax.Predict(flags, size, StencilRows.Of(flags, size)), diagonal);
        return KCycleDirection.For(grid, Sweeps, relaxation: 1, weights);
    }

    /// <summary>
    /// The model's own geometric V-cycle (rediscretised coarse grids, learned weights on every level), which the device
    /// runs (<see cref="LevelWeights"/>) until the aggregate hierarchy has device kernels.
    /// </summary>
    public IDirection BindGeometric(PoissonGrid grid)
    {
        var grids = GeometricGrids.Of(grid);
        var weights = Weights(grids);
        var levels = new VCycleLevel[grids.Count];
        for (int l = 0; l < grids.Count; l++)
        {
            var (g, diagonal) = grids[l];
            levels[l] = new VCycleLevel(g.Nx, g.Ny, g.Nz, diagonal, Math.Pow(4, -l), l < weights.Count ? weights[l] : []);
        }
        return new VCycleDirection(levels);
    }

    /// <summary>
    /// The SOR weights of every level of the grid's hierarchy (<see cref="GeometricGrids.Of"/>) but the coarsest, per
    /// sweep and cell of that level (0 off its unknowns): what a device V-cycle uploads to run this model.
    /// </summary>
    public IReadOnlyList<float[][]> LevelWeights(PoissonGrid grid) => Weights(GeometricGrids.Of(grid));

    List<float[][]> Weights(List<(PoissonGrid Grid, byte[] Diagonal)> grids)
    {
        var weights = new List<float[][]>();
        for (int l = 0; l + 1 < grids.Count; l++)
        {
            var (g, diagonal) = grids[l];
            var size = (g.Nx, g.Ny, g.Nz);
            var flags = StencilDirectionModel.FlagImages(g);
            weights.Add(Weights(_relax.Predict(flags, size, StencilRows.Of(flags, size)), diagonal));
        }
        return weights;
    }

    /// <summary>Per sweep, per cell: 2 sigmoid(u) on the unknowns, 0 elsewhere (never read there).</summary>
    float[][] Weights(StencilField predicted, byte[] diagonal)
    {
        var rows = new float[predicted.Table.Length];
        for (int i = 0; i < rows.Length; i++) rows[i] = 2 / (1 + MathF.Exp(-predicted.Table[i]));
        var weights = new float[Sweeps][];
        for (int s = 0; s < Sweeps; s++)
        {
            var w = weights[s] = new float[diagonal.Length];
            for (int i = 0; i < w.Length; i++) if (diagonal[i] != 0) w[i] = rows[predicted.Slot[i] * Sweeps + s];
        }
        return weights;
    }
}
