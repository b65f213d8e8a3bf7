namespace Dcdm.Cli;

/// <summary>Process exit codes, mapped from the solver's status.</summary>
public static class ExitCode
{
    public const int Converged = 0;
    public const int NotConverged = 1;
    public const int BadInput = 2;
    public const int InternalError = 3;
}
