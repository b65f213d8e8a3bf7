using System.Diagnostics;
using System.Globalization;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Experiments;

/// <summary>
/// What P's shape inside the first level's aggregates can earn: P_i,a = p(class of cell i) instead of 1, the first
/// level's operator s P^T A P with that P (the same sparsity), deeper levels as today. Three rows, each pcg-mg's
/// K-cycle in PCG on the whole grid: P0 (piecewise constant), a one-parameter classical rule (cells with an air neighbour get beta,
/// beta chosen by a sweep on the fit's measure; 1.4, the default since), and p per class fitted by coordinate search (an oracle on the
/// evaluation families at a small size, as <see cref="SmootherWeightOracle"/>). Whether learning earns anything is
/// the difference between the last two rows.
/// </summary>
public sealed class ProlongationShapeOracle
{
    const int FitIterations = 5;
    static readonly double[] Betas = [1.0, 1.2, 1.4, 1.6, 1.8, 2.0];

    readonly (PoissonGrid Grid, double[] B)[] _fit;
    double[] _rule = Ones(), _fitted = Ones();
    double _beta = 1;

    public ProlongationShapeOracle(string[] families, int size) => _fit = [.. families.Select(f => Problems.Of(f, size))];

    static double[] Ones() => Enumerable.Repeat(1.0, CellClasses.Count).ToArray();

    static double[] AirRule(double beta) => [.. Enumerable.Range(0, CellClasses.Count).Select(c => c / 4 > 0 ? beta : 1.0)];

    public IEnumerable<string> Fit()
    {
        yield return Invariant($"fit on {_fit.Length} families at {_fit[0].Grid.Nx}^3, mean log10 residual after {FitIterations} PCG iterations:");
        double best = double.MaxValue;
        foreach (double beta in Betas)
        {
            double value = Measure(AirRule(beta));
            yield return Invariant($"  air rule, beta {beta:F1}: {value:F3}");
            if (value < best) (best, _beta, _rule) = (value, beta, AirRule(beta));
        }
        var clock = Stopwatch.StartNew();
        (_fitted, double fitted) = CoordinateSearch.Minimize(Ones(), Measure, 0.05, 2.0);
        yield return Invariant($"  fitted per class: {fitted:F3} ({clock.Elapsed.TotalSeconds:F0} s): ") + CellClasses.Describe(_fitted);
    }

    double Measure(double[] perClass)
    {
        var options = new SolverOptions { Tolerance = 1e-14, MaxIterations = FitIterations };
        return _fit.Average(p => Math.Log10(Solve(p.Grid, p.B, perClass, options).RelativeResidual));
    }

    static SolveResult Solve(PoissonGrid grid, double[] b, double[] perClass, SolverOptions options)
    {
        var shape = ProlongationShape.FromCells(CellClasses.PerCell(grid, perClass, outside: 1));
        using var pcg = new ConjugateGradient(grid, null, "pcg-mg", options, unknowns => new AggregateMultigrid(grid, unknowns.Active, 2,
            AggregateMultigrid.DefaultGalerkinScale, AggregateMultigrid.DefaultRelaxation, fineWeights: null, shape));
        return pcg.Solve(b, new double[grid.CellCount], SolveSettings.None);
    }

    /// <summary>Iterations to 1e-6 and the mean residual reduction per iteration, per row.</summary>
    public IEnumerable<string> Evaluate(string[] families, int size)
    {
        var rows = new (string Name, double[] PerClass)[]
        {
            ("P0 (piecewise constant)", Ones()), (Invariant($"air rule, beta {_beta:F1} (tuned classical)"), _rule), ("fitted per class (oracle)", _fitted),
        };
        yield return "";
        yield return $"| family ({size}^3) | " + string.Join(" | ", rows.Select(r => r.Name)) + " |";
        yield return "|---|" + string.Concat(rows.Select(_ => "---|"));
        var options = new SolverOptions { Tolerance = 1e-6 };
        foreach (var family in families)
        {
            var (grid, b) = Problems.Of(family, size);
            var cells = rows.Select(r => Solve(grid, b, r.PerClass, options))
                .Select(s => Invariant($"{s.Iterations} ({Math.Pow(s.RelativeResidual, 1.0 / Math.Max(1, s.Iterations)):F3})"));
            yield return $"| {family} | " + string.Join(" | ", cells) + " |";
        }
    }

    static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
