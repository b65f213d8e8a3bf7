using System.Text.Json;
using Dcdm.Cli;
using Dcdm.Training.Models;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Cli;

/// <summary>dcdm carries no TorchSharp; training and the TorchSharp engines are the dcdm-train tool.</summary>
public class TrainingToolTests
{
    [Test]
    public void TheSolverToolReferencesNeitherTorchSharpNorTraining()
    {
        var references = typeof(DcdmApp).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.That(references, Does.Contain("Dcdm.Core"), "the references were read");
        Assert.That(references, Has.None.StartsWith("TorchSharp").And.None.EqualTo("Dcdm.Training"));
        // the restore of Solver.Cli (what dotnet run downloads) names no libtorch, directly or through a dependency
        string assets = Path.Combine(RepositoryTests.Root(), "Solver.Cli", "obj", "project.assets.json");
        using var json = JsonDocument.Parse(File.ReadAllText(assets));
        var libraries = json.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name.ToLowerInvariant()).ToList();
        Assert.That(libraries, Has.Some.StartsWith("ilgpu/"), "the package list was read");
        Assert.That(libraries, Has.None.StartsWith("libtorch").And.None.StartsWith("torchsharp"));
    }

    [TestCase("train")]
    [TestCase("generate-data")]
    public void DcdmSaysWhereTheTrainingCommandsAre(string command)
    {
        var (code, output, error) = Run(command, "--data", "somewhere");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain($"'{command}'").And.Contain("dcdm-train").And.Contain("dotnet tool install"));
    }

    [Test]
    public void APaperModelSolvesInDcdmTrainAndDcdmSaysWhereItRuns()
    {
        string folder = TestData.TempFolder();
        string model = Path.Combine(folder, "paper.safetensors");
        NetworkFile.Export(new PaperNetwork(), new Dictionary<string, string> { ["architecture"] = PaperNetwork.ArchitectureName }).Write(model);
        string dir = Path.Combine(folder, "tank");
        Assert.That(Run("generate", "--domain", "tank", "--size", "8", "--layout", "full", "-o", dir).code, Is.EqualTo(0));
        string[] solve = ["solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", "dcdm", "--model", model, "--json"];

        var (code, output, error) = Run(solve);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(error, Does.Contain("'paper'").And.Contain("dcdm-train"));

        (code, output, error) = RunTrain(solve);
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("details").GetProperty("model").GetString(), Does.StartWith("paper (TorchSharp)"));

        (code, output, _) = Run("model", "info", model);
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("cost          no engine in dcdm"));
        (code, output, _) = RunTrain("model", "info", model);
        Assert.That(output, Does.Contain("multiply-adds per cell per direction (TorchSharp)"));
    }

    /// <summary>
    /// A machine that cannot do what was asked (libtorch's convolutions fail their self-check) gets its message as it
    /// is, exit code 3; any other unexpected error, a NotSupportedException from elsewhere included, is an internal error
    /// naming its type.
    /// </summary>
    [Test]
    public void OnlyTheToolsMachineLimitsArePrintedAsTheyAre()
    {
        static Func<CliConsole, System.CommandLine.Command> Throwing(string name, Exception e) => _ =>
        {
            var command = new System.CommandLine.Command(name);
            command.SetAction(new Func<System.CommandLine.ParseResult, int>(_ => throw e));
            return command;
        };
        var untrusted = new Dcdm.Training.Convolutions.UntrustedConvolutionsException("the convolutions are wrong here; set DNNL_MAX_CPU_ISA=AVX");
        var tool = Dcdm.Training.Cli.TrainingTool.Create() with
        {
            Commands = [Throwing("convolve", untrusted), Throwing("seek", new NotSupportedException("the stream does not seek"))],
        };
        var (code, _, error) = RunTool(tool, "convolve");
        Assert.That(code, Is.EqualTo(3));
        Assert.That(error.Trim(), Is.EqualTo("dcdm-train: the convolutions are wrong here; set DNNL_MAX_CPU_ISA=AVX"));
        (code, _, error) = RunTool(tool, "seek");
        Assert.That(code, Is.EqualTo(3));
        Assert.That(error, Does.Contain("internal error: NotSupportedException: the stream does not seek"));
        (code, _, error) = RunTool(DcdmTool.Solver with { Commands = [Throwing("convolve", untrusted)] }, "convolve");
        Assert.That(error, Does.Contain("internal error: UntrustedConvolutionsException"), "dcdm declares no machine limit");
    }
}
