namespace Dcdm.Cli;

/// <summary>A problem with the command line or its input files: one line on stderr, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);
