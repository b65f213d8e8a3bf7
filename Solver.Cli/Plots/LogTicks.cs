using System.Globalization;
using ScottPlot.TickGenerators;

namespace Dcdm.Cli.Plots;

/// <summary>Ticks for an axis that holds log10 of the values: labels as powers of ten, log-spaced minor ticks.</summary>
public static class LogTicks
{
    public static NumericAutomatic PowersOfTen() => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => string.Create(CultureInfo.InvariantCulture, $"1e{v:0}"),
    };
}
