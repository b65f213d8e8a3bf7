using Dcdm.Models;

namespace Dcdm.Tests.Models;

/// <summary>The C# engine's grid operations against plain loops.</summary>
public class NetworkLayersTests
{
    /// <summary>
    /// Stencil rows shared in runs (as in uniform regions, where the vector path takes 8 or 16 cells at once)
    /// broken by cells of their own, on grids wide enough for the vector path and with ragged ends.
    /// </summary>
    [TestCase(23, 7, 6)]
    [TestCase(40, 5, 4)]
    [TestCase(9, 4, 5)]
    public void ApplyStencilMatchesAPlainLoop(int nx, int ny, int nz)
    {
        var rng = new Random(nx);
        int n = nx * ny * nz, rows = 3;
        var slot = new int[n];
        for (int i = 0; i < n; i++) slot[i] = rng.NextDouble() < 0.1 ? rows++ : (i / 37) % 3; // long runs of rows 0..2
        var table = Enumerable.Range(0, rows * 27).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var v = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var y = new float[n];
        NetworkLayers.ApplyStencil(new StencilField(slot, table), v, y, (nx, ny, nz));

        for (int z = 0; z < nz; z++)
            for (int j = 0; j < ny; j++)
                for (int x = 0; x < nx; x++)
                {
                    int cell = (z * ny + j) * nx + x;
                    double expected = 0;
                    for (int o = 0; o < 27; o++)
                    {
                        int dz = o / 9 - 1, dy = o / 3 % 3 - 1, dx = o % 3 - 1;
                        int zz = z + dz, yy = j + dy, xx = x + dx;
                        if (zz < 0 || zz >= nz || yy < 0 || yy >= ny || xx < 0 || xx >= nx) continue;
                        expected += (double)table[slot[cell] * 27 + o] * v[(zz * ny + yy) * nx + xx];
                    }
                    Assert.That(y[cell], Is.EqualTo(expected).Within(1e-5), $"cell ({x}, {j}, {z})");
                }
    }

    [Test]
    public void PoolAndMixMatchPlainLoops()
    {
        var rng = new Random(3);
        (int Nx, int Ny, int Nz) f = (7, 6, 5), c = (4, 3, 3);
        var fine = Enumerable.Range(0, f.Nx * f.Ny * f.Nz).Select(_ => (float)rng.NextDouble()).ToArray();
        var coarse = new float[c.Nx * c.Ny * c.Nz];
        NetworkLayers.PoolInto(fine, f, c, coarse);
        for (int z = 0; z < c.Nz; z++)
            for (int y = 0; y < c.Ny; y++)
                for (int x = 0; x < c.Nx; x++)
                {
                    double s = 0;
                    for (int d = 0; d < 8; d++)
                    {
                        int xx = 2 * x + d % 2, yy = 2 * y + d / 2 % 2, zz = 2 * z + d / 4;
                        if (xx < f.Nx && yy < f.Ny && zz < f.Nz) s += fine[(zz * f.Ny + yy) * f.Nx + xx];
                    }
                    Assert.That(coarse[(z * c.Ny + y) * c.Nx + x], Is.EqualTo(s / 8).Within(1e-6));
                }

        int n = 200_003; // several parallel blocks and a ragged end
        var skip = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var zv = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var expected = skip.Zip(zv, (a, b) => 0.5f * a + 3f * b).ToArray();
        NetworkLayers.Mix(0.5f, skip, 3f, zv);
        Assert.That(zv, Is.EqualTo(expected).Within(1e-6));
    }
}
