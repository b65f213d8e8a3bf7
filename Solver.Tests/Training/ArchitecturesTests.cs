using Dcdm.Models;
using Dcdm.Training.Networks;

namespace Dcdm.Tests.Training;

public class ArchitecturesTests
{
    [Test]
    public void EachRegisteredArchitectureIsBuiltTrainedNamedAndLoadedThroughOneList()
    {
        Assert.That(Architectures.Names, Is.EquivalentTo(new[] { "lean", "paper" }));
        Assert.That(Architectures.Create("lean", 2), Is.InstanceOf<LeanNetwork>());
        Assert.That(Architectures.Create("paper", 2), Is.InstanceOf<PaperNetwork>());
        Assert.That(Assert.Throws<ArgumentException>(() => Architectures.Create("unet", 8))!.Message, Does.Contain("lean or paper"));
        // the engines: lean in C#, paper through TorchSharp
        var engines = Architectures.Engines();
        Assert.That(engines.Architectures, Is.EquivalentTo(Architectures.Names));
        var paperFile = NetworkFile.Export(new PaperNetwork(), new Dictionary<string, string> { ["architecture"] = "paper" });
        Assert.That(engines.Load(paperFile), Is.InstanceOf<TorchDirectionModel>());
        Assert.That(engines.Load(LeanDirectionModel.ShippedFile()), Is.InstanceOf<LeanDirectionModel>());
    }
}
