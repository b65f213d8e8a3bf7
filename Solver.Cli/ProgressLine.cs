using System.Diagnostics;
using Dcdm.Solvers;

namespace Dcdm.Cli;

/// <summary>A live "iteration / residual" line on a terminal, redrawn at most ten times a second.</summary>
public sealed class ProgressLine(CliConsole console, string label) : IDisposable
{
    readonly Stopwatch _clock = Stopwatch.StartNew();
    long _lastDraw = -1000;
    bool _drawn;

    public void Report(IterationInfo info)
    {
        if (!console.ErrorIsTerminal) return;
        long now = _clock.ElapsedMilliseconds;
        if (now - _lastDraw < 100) return;
        _lastDraw = now;
        _drawn = true;
        console.Error.Write($"\r{label}: iteration {info.Iteration,7}  relative residual {info.RelativeResidual,10:0.000e+00}  {now / 1000.0,7:F1} s ");
    }

    public void Dispose()
    {
        if (_drawn) console.Error.Write("\r" + new string(' ', 80) + "\r");
    }
}
