using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Training.Networks;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

public class PaperNetworkTests
{
    [Test]
    public void HasThePapersSizeAndKeepsTheGridShape()
    {
        var net = new PaperNetwork();
        Assert.That(net.ParameterCount, Is.EqualTo(97_457));
        Assert.That(PaperNetwork.MultiplyAddsPerCell, Is.EqualTo(8 * 6912 + 6 * 6912 / 8 + 432 + 16)); // 60,928
        foreach (var (nx, ny, nz) in new[] { (8, 8, 8), (7, 6, 5) })
        {
            using var r = randn([1, 1, nz, ny, nx]);
            using var q = net.forward(r, zeros([1, 3, nz, ny, nx]));
            Assert.That(q.shape, Is.EqualTo(new long[] { 1, 1, nz, ny, nx }));
        }
    }

    [Test]
    public void LoadsFromItsModelFileThroughTheTorchEngine()
    {
        random.manual_seed(4);
        var net = new PaperNetwork();
        var file = NetworkFile.Export(net, new Dictionary<string, string> { ["architecture"] = "paper" });
        var grid = PoissonDomains.SmokeBox(6, 6, 6);
        var r = Enumerable.Range(0, grid.CellCount).Select(i => (float)Math.Sin(i)).ToArray();
        var a = new float[grid.CellCount]; var b = new float[grid.CellCount];
        new TorchDirectionModel(net, "paper").Bind(grid).Apply(r, a);
        TorchDirectionModel.Load(file).Bind(grid).Apply(r, b);
        Assert.That(b, Is.EqualTo(a));
        Assert.Throws<ModelFileException>(() => new LeanDirectionModel(file));
    }
}
