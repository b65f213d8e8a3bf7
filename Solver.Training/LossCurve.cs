using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Dcdm.Training;

/// <summary>
/// Draws loss.csv (step, training loss, validation loss where measured) as a PNG with ScottPlot: the loss on a
/// log axis against the step, training and validation as two lines.
/// </summary>
public static class LossCurve
{
    public const int Width = 800, Height = 450;

    /// <exception cref="InvalidDataException">A line of the CSV is not step,loss[,validation_loss,...] (names the line).</exception>
    public static void WritePng(string csv, string png)
    {
        var train = new List<(double Step, double Loss)>();
        var validation = new List<(double Step, double Loss)>();
        int lineNumber = 1;
        foreach (var line in File.ReadLines(csv).Skip(1))
        {
            lineNumber++;
            if (line.Length == 0) continue;
            var parts = line.Split(',');
            if (parts.Length < 2 || !TryNumber(parts[0], out double step) || !TryNumber(parts[1], out double loss))
                throw new InvalidDataException($"{csv}:{lineNumber}: expected step,loss[,validation_loss,...]; found '{line}'");
            if (loss > 0) train.Add((step, loss));
            if (parts.Length > 2 && TryNumber(parts[2], out double checkedLoss) && checkedLoss > 0) validation.Add((step, checkedLoss));
        }

        var plot = new Plot();
        Add(plot, train, "training loss", Colors.SteelBlue);
        Add(plot, validation, "validation loss (geometries not trained on)", Colors.FireBrick);
        plot.Axes.Left.TickGenerator = new NumericAutomatic
        {
            MinorTickGenerator = new LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => string.Create(CultureInfo.InvariantCulture, $"1e{y:0}"),
        };
        plot.Title("DCDM training: scale-invariant residual loss");
        plot.XLabel("step");
        plot.YLabel("loss");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(png, Width, Height);
    }

    static void Add(Plot plot, List<(double Step, double Loss)> points, string name, Color color)
    {
        if (points.Count == 0) return;
        var line = plot.Add.ScatterLine(points.Select(p => p.Step).ToArray(), points.Select(p => Math.Log10(p.Loss)).ToArray(), color);
        line.LegendText = name;
        line.LineWidth = 1.5f;
        if (points.Count < 50) line.MarkerSize = 5; // few points: show each (validation losses)
    }

    static bool TryNumber(string text, out double value) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
}
