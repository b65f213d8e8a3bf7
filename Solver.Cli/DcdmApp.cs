using System.CommandLine;
using Dcdm.Cli.Commands;
using Dcdm.MatrixMarket;
using Dcdm.Solvers;

namespace Dcdm.Cli;

/// <summary>The dcdm command: parses, runs one command, maps every failure to one stderr line and an exit code.</summary>
public static class DcdmApp
{
    public static RootCommand Build(CliConsole console, DcdmTool? tool = null)
    {
        tool ??= DcdmTool.Solver;
        var root = new RootCommand($"{tool.Name}: sparse SPD solvers (CG, PCG, learned-direction DCDM) for Poisson pressure systems"
            + (tool.OtherEngines is null ? "" : $"; training (generate-data, train) is the {DcdmTool.TrainingToolName} tool"));
        root.Subcommands.Add(SolveCommand.Create(console, tool));
        root.Subcommands.Add(GenerateCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(InfoCommand.Create(console, tool));
        root.Subcommands.Add(ModelCommand.Create(console, tool));
        root.Subcommands.Add(SimulateCommand.Create(console));
        foreach (var command in tool.Commands) root.Subcommands.Add(command(console));
        return root;
    }

    /// <summary>The option or argument a parse error is about, so the line names what to fix.</summary>
    static string? Culprit(System.CommandLine.Parsing.ParseError error) => error.SymbolResult switch
    {
        System.CommandLine.Parsing.OptionResult o => o.Option.Name,
        System.CommandLine.Parsing.ArgumentResult { Parent: System.CommandLine.Parsing.OptionResult o } => o.Option.Name,
        System.CommandLine.Parsing.ArgumentResult a => $"<{a.Argument.Name}>",
        System.CommandLine.Parsing.CommandResult c when error.Message.StartsWith("Required argument missing", StringComparison.Ordinal)
            => string.Join(' ', c.Command.Arguments.Select(a => $"<{a.Name}>")),
        _ => null,
    };

    public static Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellation = default) =>
        RunAsync(args, console, DcdmTool.Solver, cancellation);

    public static async Task<int> RunAsync(string[] args, CliConsole console, DcdmTool tool, CancellationToken cancellation = default)
    {
        var root = Build(console, tool);
        if (args.Length > 0 && DcdmTool.TrainingCommands.Contains(args[0]) && !root.Subcommands.Any(c => c.Name == args[0]))
        {
            console.Error.WriteLine($"{tool.Name}: '{args[0]}' is in the {DcdmTool.TrainingToolName} tool, which brings libtorch; {DcdmTool.TrainingToolHint}");
            return ExitCode.BadInput;
        }
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = parse.CommandResult.Command == root ? tool.Name : $"{tool.Name} {parse.CommandResult.Command.Name}";
            // an unknown word explains a missing command better than the missing command does
            var first = parse.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parse.Errors[0];
            string message = string.Join(' ', first.Message.Split((char[])['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            string? culprit = Culprit(first);
            if (culprit is not null && !message.Contains(culprit, StringComparison.Ordinal)) message = $"{culprit}: {message}";
            console.Error.WriteLine($"{tool.Name}: {message} (see '{command} --help')");
            return ExitCode.BadInput;
        }
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { Output = console.Out, Error = console.Error, EnableDefaultExceptionHandler = false }, cancellation);
        }
        catch (Exception e) when (e is UsageException or Gpu.Devices.NoGpuException or MatrixMarketException or InvalidSystemException or InvalidDataException
                                     or FileNotFoundException or DirectoryNotFoundException or Models.ModelFileException or UnauthorizedAccessException or ArgumentException)
        {
            console.Error.WriteLine($"{tool.Name}: {e.Message}");
            return ExitCode.BadInput;
        }
        catch (Exception e) when (tool.IsMachineLimit(e)) // the machine cannot do what was asked (untrusted libtorch convolutions); the message says why
        {
            console.Error.WriteLine($"{tool.Name}: {e.Message}");
            return ExitCode.InternalError;
        }
        catch (OperationCanceledException)
        {
            console.Error.WriteLine($"{tool.Name}: cancelled");
            return ExitCode.Cancelled;
        }
        catch (Exception e)
        {
            console.Error.WriteLine($"{tool.Name}: internal error: {e.GetType().Name}: {e.Message}");
            return ExitCode.InternalError;
        }
    }
}
