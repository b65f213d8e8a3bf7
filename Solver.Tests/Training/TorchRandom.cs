using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

/// <summary>Seeded random inputs and weights for the networks' tests.</summary>
static class TorchRandom
{
    /// <summary>n values uniform in [-0.5, 0.5).</summary>
    public static float[] Vector(int n, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
    }

    /// <summary>A new network, its initial weights and then normal noise of the given size on each drawn from the seed.</summary>
    public static T Perturbed<T>(Func<T> create, int seed, float size) where T : nn.Module
    {
        random.manual_seed(seed);
        var net = create();
        using (no_grad())
            foreach (var p in net.parameters()) p.add_(randn_like(p) * size);
        return net;
    }
}
