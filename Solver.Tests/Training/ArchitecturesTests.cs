using Dcdm.Models;
using Dcdm.Training.Models;

namespace Dcdm.Tests.Training;

public class ArchitecturesTests
{
    [Test]
    public void EachRegisteredArchitectureIsBuiltTrainedNamedAndLoadedThroughOneList()
    {
        Assert.That(Architectures.Names, Is.EquivalentTo(new[] { "stencil", "vcycle", "paper" }));
        Assert.That(Architectures.Create("stencil", 2), Is.InstanceOf<StencilNetwork>());
        Assert.That(Architectures.Create("vcycle", 2), Is.InstanceOf<VCycleNetwork>());
        Assert.That(Architectures.Create("paper", 2), Is.InstanceOf<PaperNetwork>());
        Assert.That(Assert.Throws<ArgumentException>(() => Architectures.Create("unet", 8))!.Message, Does.Contain("stencil or vcycle or paper"));
        // the engines: stencil and vcycle in C#, paper through TorchSharp
        var engines = Architectures.Engines();
        Assert.That(engines.Architectures, Is.EquivalentTo(Architectures.Names));
        var paperFile = NetworkFile.Export(new PaperNetwork(), new Dictionary<string, string> { ["architecture"] = "paper" });
        Assert.That(engines.Load(paperFile), Is.InstanceOf<TorchDirectionModel>());
        Assert.That(engines.Load(StencilDirectionModel.ShippedFile()), Is.InstanceOf<StencilDirectionModel>());
        var vcycleFile = NetworkFile.Export(new VCycleNetwork(2), new Dictionary<string, string> { ["architecture"] = "vcycle", ["channels"] = "2", ["sweeps"] = "2" });
        Assert.That(engines.Load(vcycleFile), Is.InstanceOf<VCycleDirectionModel>());
    }
}
