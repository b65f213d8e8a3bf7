using System.Globalization;
using ScottPlot;

namespace Dcdm.Cli.Plots;

/// <summary>Relative residual against iteration, one line per solve, on a log axis (solve --plot, bench --plot).</summary>
public static class ConvergencePlot
{
    /// <param name="series">a name and a residual history (entry i after i iterations); non-positive or non-finite entries are left out</param>
    /// <param name="tolerance">drawn as a dashed line when given</param>
    public static void WritePng(string path, string title, IEnumerable<(string Name, IReadOnlyList<double> History)> series, double? tolerance = null)
    {
        var plot = new Plot();
        foreach (var (name, history) in series)
        {
            var points = history.Select((r, i) => (i, r)).Where(p => p.r > 0 && double.IsFinite(p.r)).ToArray();
            if (points.Length == 0) continue;
            var line = plot.Add.ScatterLine(points.Select(p => (double)p.i).ToArray(), points.Select(p => Math.Log10(p.r)).ToArray());
            line.LegendText = name;
            line.LineWidth = 2;
        }
        if (tolerance is > 0)
        {
            var level = plot.Add.HorizontalLine(Math.Log10(tolerance.Value));
            level.LinePattern = LinePattern.Dashed;
            level.Color = Colors.Gray;
            level.LegendText = string.Create(CultureInfo.InvariantCulture, $"tolerance {tolerance.Value:g3}");
        }
        plot.Axes.Left.TickGenerator = LogTicks.PowersOfTen();
        PlotFrame.SavePng(plot, path, title, "iteration", "relative residual ||b - A x|| / ||b||", Alignment.UpperRight);
    }
}
