using System.CommandLine;
using Dcdm.Models;

namespace Dcdm.Cli;

/// <summary>
/// One program built on this command line. <c>dcdm</c>, the solver tool, carries no libtorch; <c>dcdm-train</c>
/// (Solver.Training.Cli) adds the training commands and the TorchSharp engines of the other architectures.
/// </summary>
public sealed record DcdmTool
{
    /// <summary>The command name, as the user types it and as messages name it.</summary>
    public required string Name { get; init; }

    /// <summary>The model architectures solve runs; dcdm has the stencil network's C# engine only.</summary>
    public DirectionModels Models { get; init; } = new();

    /// <summary>Commands this program adds to the common ones.</summary>
    public IReadOnlyList<Func<CliConsole, Command>> Commands { get; init; } = [];

    /// <summary>What info prints on its torchsharp line.</summary>
    public Func<string> TorchStatus { get; init; } = () => $"not part of dcdm (training and the TorchSharp engines: {TrainingToolName})";

    /// <summary>model info's cost line for an architecture other than stencil, or null when this program has none.</summary>
    public Func<string, string?> EngineCost { get; init; } = _ => null;

    /// <summary>Where the architectures this program has no engine for run, or null when it has them all.</summary>
    public string? OtherEngines { get; init; } = $"the paper network runs through TorchSharp in {TrainingToolName}: {TrainingToolHint}";

    /// <summary>
    /// Errors that say this machine cannot do what was asked (their message names the cause and the fix), printed as
    /// they are with exit code 3; any other unexpected error is reported as an internal one, with its type.
    /// </summary>
    public Func<Exception, bool> IsMachineLimit { get; init; } = _ => false;

    public const string TrainingToolName = "dcdm-train";

    /// <summary>The commands that only dcdm-train has; dcdm answers them with one line saying where they are.</summary>
    public static IReadOnlyList<string> TrainingCommands { get; } = ["train", "generate-data"];

    /// <summary>How to get dcdm-train: the tool, or the project in a checkout.</summary>
    public static string TrainingToolHint =>
        $"install it with 'dotnet tool install --global {TrainingToolName}' (or run 'dotnet run --project Solver.Training.Cli --' in a checkout)";

    /// <summary>The solver tool: no training commands, no TorchSharp.</summary>
    public static DcdmTool Solver { get; } = new() { Name = "dcdm" };
}
