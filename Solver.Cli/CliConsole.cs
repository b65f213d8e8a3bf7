namespace Dcdm.Cli;

/// <summary>Where a command writes: injected so tests can capture output. Live progress goes to Error, only on a terminal.</summary>
public sealed record CliConsole(TextWriter Out, TextWriter Error, bool ErrorIsTerminal)
{
    public static CliConsole System => new(Console.Out, Console.Error, !Console.IsErrorRedirected);
}
