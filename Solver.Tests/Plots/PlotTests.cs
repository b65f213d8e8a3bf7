using Dcdm.Cli.Plots;
using Dcdm.Training;
using SkiaSharp;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Plots;

public class PlotTests
{
    // ScottPlot's first two palette colours (category 10): the first and second series
    static readonly SKColor First = SKColor.Parse("#1f77b4"), Second = SKColor.Parse("#ff7f0e");

    [Test]
    public void SolvePlotDrawsTheResidualAgainstTheIteration()
    {
        string folder = TestData.TempFolder();
        string png = Path.Combine(folder, "conv.png");
        var (code, output, error) = Run("solve", TestData.Matrix("lap3D_7pt_n20.mtx"), "--method", "cg", "--plot", png);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain($"plot        {png}"));
        PlotImage.AssertPng(png, PlotFrame.Width, PlotFrame.Height, First);
        // refused before the solve when it cannot be written
        (code, _, error) = Run("solve", TestData.Matrix("lap3D_7pt_n20.mtx"), "--plot", Path.Combine(folder, "missing", "conv.png"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--plot").And.Contain("does not exist"));
    }

    [Test]
    public void BenchPlotDrawsEveryMethodsConvergenceAndWithSeveralSizesTheTimeAgainstSize()
    {
        string png = Path.Combine(TestData.TempFolder(), "bench.png");
        var (code, output, error) = Run("bench", "--size", "8", "--domain", "tank", "--repeat", "1", "--plot", png);
        Assert.That(code, Is.EqualTo(0), error + output);
        PlotImage.AssertPng(png, PlotFrame.Width, PlotFrame.Height, First, Second);
        Assert.That(File.Exists(SizePlot.PathBeside(png)), Is.False, "one size: no time-against-size plot");

        (code, output, error) = Run("bench", "--size", "6", "8", "--domain", "tank", "--repeat", "1", "--plot", png, "--json");
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = System.Text.Json.JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetArrayLength(), Is.EqualTo(2), "one report per size");
        Assert.That(SizePlot.PathBeside(png), Does.EndWith("bench-time.png"));
        PlotImage.AssertPng(SizePlot.PathBeside(png), PlotFrame.Width, PlotFrame.Height, First, Second);
    }

    [Test]
    public void TheLossCurveIsDrawnFromItsCsv()
    {
        string folder = TestData.TempFolder();
        string csv = Path.Combine(folder, "loss.csv"), png = Path.Combine(folder, "loss.png");
        var lines = new List<string> { "step,loss,validation_loss,seconds" };
        for (int step = 1; step <= 60; step++)
        {
            string validation = step % 20 == 0 ? FormattableString.Invariant($"{Math.Exp(-step / 25.0):G6}") : "";
            lines.Add(FormattableString.Invariant($"{step},{Math.Exp(-step / 20.0)},{validation},{step * 1.5:F1}"));
        }
        File.WriteAllLines(csv, lines);
        LossCurve.WritePng(csv, png);
        PlotImage.AssertPng(png, LossCurve.Width, LossCurve.Height, SKColors.SteelBlue, SKColors.Firebrick);

        File.AppendAllText(csv, "61,not-a-number,,92.0\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => LossCurve.WritePng(csv, png))!.Message, Does.Contain("loss.csv:62"));
    }
}
