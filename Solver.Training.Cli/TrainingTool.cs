using System.Globalization;
using Dcdm.Cli;
using Dcdm.Training.Cli.Commands;
using Dcdm.Training.Convolutions;
using Dcdm.Training.Models;

namespace Dcdm.Training.Cli;

/// <summary>dcdm-train: every dcdm command, plus generate-data and train, and solve running every architecture (TorchSharp).</summary>
public static class TrainingTool
{
    public static DcdmTool Create() => new()
    {
        Name = DcdmTool.TrainingToolName,
        Models = Architectures.Engines(),
        Commands = [GenerateDataCommand.Create, TrainCommand.Create],
        TorchStatus = TorchStatus,
        EngineCost = architecture => architecture == PaperNetwork.ArchitectureName
            ? string.Create(CultureInfo.InvariantCulture, $"{PaperNetwork.MultiplyAddsPerCell:F0} multiply-adds per cell per direction (TorchSharp)")
            : null,
        OtherEngines = null,
        IsMachineLimit = e => e is UntrustedConvolutionsException, // libtorch computes wrong values here: the message says which fix
    };

    static string TorchStatus()
    {
        string version = $"{typeof(TorchSharp.torch).Assembly.GetName().Version}";
        try
        {
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            string cpu;
            try
            {
                var path = TorchConvolutions.Verify(TorchSharp.torch.CPU);
                cpu = $"CPU convolutions {path.Name}, self-check passed (worst relative error {path.Check.MaxRelativeError:G2}, {path.Check.Elapsed.TotalMilliseconds:F0} ms)";
            }
            catch (UntrustedConvolutionsException e) { cpu = $"CPU convolutions fail the self-check: {e.Message}"; }
            return $"{version}, libtorch loads (CPU); {cpu}; CUDA {(TorchSharp.torch.cuda.is_available() ? "available" : "not available")}";
        }
        catch (Exception e) { return $"{version}, libtorch not available: {e.Message.Split('\n')[0]}"; }
    }
}
