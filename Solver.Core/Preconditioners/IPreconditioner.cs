namespace Dcdm.Preconditioners;

/// <summary>z = M^-1 r for an SPD approximation M of A, built once for one matrix.</summary>
public interface IPreconditioner
{
    void Apply(ReadOnlySpan<double> r, Span<double> z);
}
