using Dcdm.Cli;
using Dcdm.Training.Cli;

namespace Dcdm.Tests.Cli;

/// <summary>Runs the dcdm command (or dcdm-train, the training tool) in-process with captured output, as a user's shell would (not a terminal).</summary>
public static class DcdmProcess
{
    public static (int code, string output, string error) Run(params string[] args) => Run(DcdmTool.Solver, args);

    /// <summary>dcdm-train: dcdm's commands plus generate-data, train and the TorchSharp engines.</summary>
    public static (int code, string output, string error) RunTrain(params string[] args) => Run(TrainingTool.Create(), args);

    /// <summary>Any program built on dcdm's command line (a <see cref="DcdmTool"/>).</summary>
    public static (int code, string output, string error) RunTool(DcdmTool tool, params string[] args) => Run(tool, args);

    static (int code, string output, string error) Run(DcdmTool tool, string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DcdmApp.RunAsync(args, new CliConsole(output, error, ErrorIsTerminal: false), tool).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }
}
