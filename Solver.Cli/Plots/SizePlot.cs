using ScottPlot;

namespace Dcdm.Cli.Plots;

/// <summary>Time to tolerance against the number of unknowns, one line per method, both axes logarithmic (bench --plot with several sizes).</summary>
public static class SizePlot
{
    /// <summary>FILE.png's companion: FILE-time.png beside it.</summary>
    public static string PathBeside(string plot) =>
        Path.Combine(Path.GetDirectoryName(plot) ?? "", Path.GetFileNameWithoutExtension(plot) + "-time" + (Path.HasExtension(plot) ? Path.GetExtension(plot) : ".png"));

    /// <param name="points">method, unknowns, seconds; non-positive values are left out</param>
    public static void WritePng(string path, string title, IEnumerable<(string Method, double Unknowns, double Seconds)> points)
    {
        var plot = new Plot();
        foreach (var method in points.Where(p => p.Unknowns > 0 && p.Seconds > 0).GroupBy(p => p.Method))
        {
            var ordered = method.OrderBy(p => p.Unknowns).ToArray();
            var line = plot.Add.Scatter(ordered.Select(p => Math.Log10(p.Unknowns)).ToArray(), ordered.Select(p => Math.Log10(p.Seconds)).ToArray());
            line.LegendText = method.Key;
            line.LineWidth = 2;
            line.MarkerSize = 7;
        }
        plot.Axes.Bottom.TickGenerator = LogTicks.PowersOfTen();
        plot.Axes.Left.TickGenerator = LogTicks.PowersOfTen();
        PlotFrame.SavePng(plot, path, title, "unknowns", "solve time (s)", Alignment.UpperLeft);
    }
}
