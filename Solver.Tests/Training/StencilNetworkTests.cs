using Dcdm.Models;
using Dcdm.Training.Models;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

public class StencilNetworkTests
{
    static StencilNetwork RandomNetwork(int channels, int seed) => TorchRandom.Perturbed(() => new StencilNetwork(channels), seed, 0.1f);

    [TestCase(12, 10, 9)]
    [TestCase(16, 16, 16)]
    [TestCase(5, 7, 3)]
    public void CSharpEngineMatchesTheTorchForward(int nx, int ny, int nz)
    {
        var net = RandomNetwork(4, 3);
        var file = NetworkFile.Export(net, new Dictionary<string, string> { ["architecture"] = "stencil", ["channels"] = "4" });
        var grid = PoissonDomains.Spheres(nx, ny, nz, 2, seed: 5);
        var r = TorchRandom.Vector(grid.CellCount, 7);
        var expected = new float[grid.CellCount];
        new TorchDirectionModel(net).Bind(grid).Apply(r, expected);
        var got = new float[grid.CellCount];
        new StencilDirectionModel(file).Bind(grid).Apply(r, got);
        double scale = expected.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0));
        Assert.That(got, Is.EqualTo(expected).Within(1e-4 * scale));
    }

    [Test]
    public void ModelFileRoundTripGivesIdenticalOutputs()
    {
        var net = RandomNetwork(3, 9);
        var file = NetworkFile.Export(net, new Dictionary<string, string> { ["architecture"] = "stencil", ["channels"] = "3", ["note"] = "round trip" });
        string path = Path.Combine(Path.GetTempPath(), $"dcdm-model-{Guid.NewGuid():N}.safetensors");
        try
        {
            file.Write(path);
            var read = ModelFile.Read(path);
            Assert.That(read.Metadata["note"], Is.EqualTo("round trip"));
            var reloaded = new StencilNetwork(3);
            NetworkFile.Import(reloaded, read);
            var grid = PoissonDomains.SmokeBox(8, 8, 8);
            var r = TorchRandom.Vector(grid.CellCount, 1);
            var a = new float[grid.CellCount]; var b = new float[grid.CellCount];
            new TorchDirectionModel(net).Bind(grid).Apply(r, a);
            new TorchDirectionModel(reloaded).Bind(grid).Apply(r, b);
            Assert.That(b, Is.EqualTo(a));
        }
        finally { File.Delete(path); }
    }

    [Test]
    public void TheDirectionIsLinearInTheResidual()
    {
        var file = NetworkFile.Export(RandomNetwork(4, 2), new Dictionary<string, string> { ["architecture"] = "stencil", ["channels"] = "4" });
        var grid = PoissonDomains.FreeSurfaceTank(9, 9, 9, 0.5, 1);
        var bound = new StencilDirectionModel(file).Bind(grid);
        var r1 = TorchRandom.Vector(grid.CellCount, 1); var r2 = TorchRandom.Vector(grid.CellCount, 2);
        var q1 = new float[grid.CellCount]; var q2 = new float[grid.CellCount]; var q12 = new float[grid.CellCount];
        bound.Apply(r1, q1); bound.Apply(r2, q2);
        bound.Apply(r1.Zip(r2, (a, b) => 2 * a - 3 * b).ToArray(), q12);
        Assert.That(q12, Is.EqualTo(q1.Zip(q2, (a, b) => 2 * a - 3 * b)).Within(1e-4 * q1.Max(Math.Abs)));
    }
}
