namespace Dcdm.Cli.Bench;

/// <summary>The best timed solve of one method on one domain: its residual history and solve time, for bench's plots.</summary>
sealed record MethodRun(string Name, int Unknowns, IReadOnlyList<double> History, double Seconds);
