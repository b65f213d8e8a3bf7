using System.Diagnostics;
using ILGPU.Runtime;

namespace Dcdm.Cli.Bench;

/// <summary>dcdm bench's timings: best of a number of runs after one warm-up.</summary>
static class BenchClock
{
    /// <summary>Best host time of <paramref name="repeat"/> runs after a warm-up (JIT and first touch).</summary>
    public static double Best(int repeat, Action body)
    {
        body();
        double best = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            long t = Stopwatch.GetTimestamp();
            body();
            best = Math.Min(best, Stopwatch.GetElapsedTime(t).TotalSeconds);
        }
        return best;
    }

    /// <summary>
    /// Best of <paramref name="repeat"/> after a warm-up, on two clocks: the host's (launch until the accelerator is
    /// synchronised, so it includes launch and synchronisation latency) and the device's (profiling markers, CUDA
    /// events on a GPU, recorded before and after the launch on the stream: the kernel alone).
    /// </summary>
    public static (double Host, double Device) DeviceBest(Accelerator acc, int repeat, Action body)
    {
        body();
        acc.Synchronize();
        double host = double.MaxValue, device = double.MaxValue;
        for (int r = 0; r < repeat; r++)
        {
            long t = Stopwatch.GetTimestamp();
            using var start = acc.AddProfilingMarker();
            body();
            using var end = acc.AddProfilingMarker();
            end.Synchronize();
            acc.Synchronize();
            host = Math.Min(host, Stopwatch.GetElapsedTime(t).TotalSeconds);
            device = Math.Min(device, end.MeasureFrom(start).TotalSeconds);
        }
        return (host, device);
    }
}
