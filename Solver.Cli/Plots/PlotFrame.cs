using ScottPlot;

namespace Dcdm.Cli.Plots;

/// <summary>What every plot of the tool shares: its size, title, axis labels and legend, written as a PNG.</summary>
public static class PlotFrame
{
    public const int Width = 800, Height = 500;

    public static void SavePng(Plot plot, string path, string title, string xLabel, string yLabel, Alignment legend)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(legend);
        plot.SavePng(path, Width, Height);
    }
}
