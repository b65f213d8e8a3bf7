namespace Dcdm.Tests;

/// <summary>Vectors of random entries for tests of kernels and solves.</summary>
public static class RandomVector
{
    /// <summary><paramref name="n"/> entries uniform in [-0.5, 0.5), the same for the same seed.</summary>
    public static double[] Centred(int n, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5)];
    }
}
