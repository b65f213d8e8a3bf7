using Dcdm.Models;
using Dcdm.Training.Networks;

namespace Dcdm.Tests.Training;

public class ArchitecturesTests
{
    [Test]
    public void EachRegisteredArchitectureIsBuiltTrainedNamedAndLoadedThroughOneList()
    {
        Assert.That(Architectures.Names, Is.EquivalentTo(new[] { "lean", "vcycle", "paper" }));
        Assert.That(Architectures.Create("lean", 2), Is.InstanceOf<LeanNetwork>());
        Assert.That(Architectures.Create("vcycle", 2), Is.InstanceOf<VCycleNetwork>());
        Assert.That(Architectures.Create("paper", 2), Is.InstanceOf<PaperNetwork>());
        Assert.That(Assert.Throws<ArgumentException>(() => Architectures.Create("unet", 8))!.Message, Does.Contain("lean or vcycle or paper"));
        // the engines: lean and vcycle in C#, paper through TorchSharp
        var engines = Architectures.Engines();
        Assert.That(engines.Architectures, Is.EquivalentTo(Architectures.Names));
        var paperFile = NetworkFile.Export(new PaperNetwork(), new Dictionary<string, string> { ["architecture"] = "paper" });
        Assert.That(engines.Load(paperFile), Is.InstanceOf<TorchDirectionModel>());
        Assert.That(engines.Load(LeanDirectionModel.ShippedFile()), Is.InstanceOf<LeanDirectionModel>());
        var vcycleFile = NetworkFile.Export(new VCycleNetwork(2), new Dictionary<string, string> { ["architecture"] = "vcycle", ["channels"] = "2", ["sweeps"] = "2" });
        Assert.That(engines.Load(vcycleFile), Is.InstanceOf<VCycleDirectionModel>());
    }
}
