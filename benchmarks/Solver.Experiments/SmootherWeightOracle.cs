using System.Diagnostics;
using System.Globalization;
using Dcdm.Models;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Experiments;

/// <summary>
/// What a model that predicts the K-cycle's fine SOR weights from the local geometry can earn: the weights of
/// each sweep are fitted per class of cell (its air and solid neighbours counted) by coordinate search on DCDM's
/// residual after a fixed number of iterations, on the evaluation families themselves at a small size (an oracle: an
/// estimate of what weights of this form can earn, not a model to ship, and not a proven bound: a coordinate search
/// finds a good point, not the best). Beside it the ablation: w = 1 (what the vcycle model is before training), the
/// tuned constant 1.15, and the shipped trained vcycle model. Every column solves on the whole grid (the catalog would
/// crop the shipped models' solves to the box around the fluid cells, not this experiment's model), one DCDM each.
/// </summary>
public sealed class SmootherWeightOracle
{
    const int Classes = CellClasses.Count;
    /// <summary>The fit's measure: log10 of the true residual after this many DCDM iterations, averaged over the families.</summary>
    const int FitIterations = 5;

    readonly (PoissonGrid Grid, double[] B)[] _fit;
    readonly int _sweeps;
    double[] _weights;

    /// <param name="sweeps">Sweeps before and after each coarse correction (the default cycle: 2).</param>
    public SmootherWeightOracle(string[] families, int size, int sweeps)
    {
        _fit = [.. families.Select(f => Problems.Of(f, size))];
        _sweeps = sweeps;
        _weights = Enumerable.Repeat(AggregateMultigrid.DefaultRelaxation, sweeps * Classes).ToArray();
    }

    /// <summary>Coordinate search over the weights (12 per sweep), steps 0.2, 0.1, 0.05, two rounds each; returns its report.</summary>
    public IEnumerable<string> Fit()
    {
        double best = Measure(_weights);
        double untrained = Measure(Enumerable.Repeat(1.0, _weights.Length).ToArray());
        yield return Invariant($"{_sweeps} sweeps; fit on {_fit.Length} families at {_fit[0].Grid.Nx}^3: mean log10 residual after {FitIterations} iterations,")
            + Invariant($" w = 1: {untrained:F3}, w = {AggregateMultigrid.DefaultRelaxation}: {best:F3}");
        var clock = Stopwatch.StartNew();
        (_weights, best) = CoordinateSearch.Minimize(_weights, Measure, 0.3, 1.9);
        yield return Invariant($"fitted class weights: {best:F3} ({clock.Elapsed.TotalSeconds:F0} s)");
        for (int s = 0; s < _sweeps; s++)
            yield return $"sweep {s + 1}: " + CellClasses.Describe(_weights.AsSpan(s * Classes, Classes));
    }

    double Measure(double[] weights)
    {
        double sum = 0;
        var options = new SolverOptions { Tolerance = 1e-14, MaxIterations = FitIterations };
        foreach (var (grid, b) in _fit)
        {
            using var solver = new DeepConjugateDirections(grid, new ClassWeights(weights, _sweeps), options);
            sum += Math.Log10(solver.Solve(b, new double[grid.CellCount], SolveSettings.None).RelativeResidual);
        }
        return sum / _fit.Length;
    }

    /// <summary>Iterations to 1e-6, the mean residual reduction per iteration and the fastest of two solves, per model.</summary>
    public IEnumerable<string> Evaluate(string[] families, int size)
    {
        var trained = (VCycleDirectionModel)ShippedModels.Named(VCycleDirectionModel.ArchitectureName)!;
        var models = new List<(string Name, IDirectionModel Model)>
        {
            ("w = 1 (untrained)", new KCycleDirectionModel(1.0, _sweeps)),
            (Invariant($"w = {AggregateMultigrid.DefaultRelaxation} (tuned constant)"), new KCycleDirectionModel(AggregateMultigrid.DefaultRelaxation, _sweeps)),
        };
        // the trained model has weights for its own number of sweeps: a row only where that is this cycle's
        if (trained.Sweeps == _sweeps) models.Add(("vcycle (trained, shipped)", trained));
        models.Add(("class weights (oracle)", new ClassWeights(_weights, _sweeps)));
        yield return "";
        yield return $"| family ({size}^3) | " + string.Join(" | ", models.Select(m => m.Name)) + " |";
        yield return "|---|" + string.Concat(models.Select(_ => "---|"));
        foreach (var family in families)
        {
            var (grid, b) = Problems.Of(family, size);
            var cells = new List<string>();
            foreach (var (_, model) in models)
            {
                SolveResult? last = null;
                double solve = double.MaxValue;
                for (int run = 0; run < 2; run++)
                {
                    using var solver = new DeepConjugateDirections(grid, model, new SolverOptions { Tolerance = 1e-6 });
                    last = solver.Solve(b, new double[grid.CellCount], SolveSettings.None);
                    solve = Math.Min(solve, last.SolveTime.TotalSeconds);
                }
                double rate = Math.Pow(last!.RelativeResidual, 1.0 / Math.Max(1, last.Iterations));
                cells.Add(Invariant($"{last.Iterations} ({rate:F3}, {solve:F3} s)"));
            }
            yield return $"| {family} | " + string.Join(" | ", cells) + " |";
        }
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>The K-cycle with fine SOR weights per sweep and class of cell.</summary>
    sealed class ClassWeights(double[] weights, int sweeps) : IDirectionModel
    {
        public string Description => "kcycle, fine SOR weights per class of cell";

        public IDirection Bind(PoissonGrid grid) => KCycleDirection.For(grid, sweeps, relaxation: 1, PerCell(grid));

        float[][] PerCell(PoissonGrid grid)
        {
            var perCell = new float[sweeps][];
            for (int s = 0; s < sweeps; s++) perCell[s] = CellClasses.PerCell(grid, weights.AsSpan(s * Classes, Classes));
            return perCell;
        }
    }
}
