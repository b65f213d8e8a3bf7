using Dcdm.Models;
using Dcdm.Training.Models;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

public class PaperNetworkTests
{
    [Test]
    public void HasThePapersSizeAndKeepsTheGridShape()
    {
        var net = new PaperNetwork();
        Assert.That(net.ParameterCount, Is.EqualTo(97_457));
        // Counted from the layers themselves: a convolution's weight count is its multiply-adds per output cell,
        // and the "half" layers run on an eighth of the cells.
        double counted = net.named_parameters().Where(p => p.name.EndsWith(".weight"))
            .Sum(p => p.parameter.numel() / (p.name.StartsWith("half.") ? 8.0 : 1.0));
        Assert.That(counted, Is.EqualTo(60_928));
        Assert.That(PaperNetwork.MultiplyAddsPerCell, Is.EqualTo(counted));
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
        Assert.Throws<ModelFileException>(() => new StencilDirectionModel(file));
    }
}
