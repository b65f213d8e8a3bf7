namespace Dcdm.Experiments;

/// <summary>Minimises a measure one coordinate at a time: steps 0.2, 0.1, 0.05, two rounds each, inside [low, high].</summary>
public static class CoordinateSearch
{
    public static (double[] Best, double Value) Minimize(double[] start, Func<double[], double> measure, double low, double high)
    {
        var best = (double[])start.Clone();
        double value = measure(best);
        foreach (double step in new[] { 0.2, 0.1, 0.05 })
            for (int round = 0; round < 2; round++)
                for (int k = 0; k < best.Length; k++)
                    foreach (int sign in new[] { 1, -1 })
                    {
                        var trial = (double[])best.Clone();
                        trial[k] = Math.Clamp(trial[k] + sign * step, low, high);
                        double v = measure(trial);
                        if (v < value - 1e-4) (best, value) = (trial, v);
                    }
        return (best, value);
    }
}
