using Dcdm.Cli;

namespace Dcdm.Tests.Cli;

/// <summary>Runs the dcdm command in-process with captured output, as a user's shell would (not a terminal).</summary>
public static class DcdmProcess
{
    public static (int code, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = DcdmApp.RunAsync(args, new CliConsole(output, error, ErrorIsTerminal: false)).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }
}
