namespace Dcdm.Solvers;

/// <summary>
/// A solver written over a <see cref="SolveFrame"/>, which can run its loop in another frame on the same vectors: one
/// for b and x already on its unknowns (<see cref="SolveFrame.OnItsUnknowns"/>), which spares a caller holding them so a
/// copy to the full layout and the solver's restriction back (compact vectors where every fluid cell is an unknown,
/// <see cref="CompactGridSolver"/>). The same loop, result and projection as <see cref="ILinearSolver.Solve"/> on those
/// vectors scattered to the full layout.
/// </summary>
internal interface IUnknownsSolver : ILinearSolver
{
    /// <summary>The frame <see cref="ILinearSolver.Solve"/> runs in.</summary>
    SolveFrame Frame { get; }

    /// <summary>Solves in <paramref name="frame"/>: <see cref="Frame"/> or one it made.</summary>
    SolveResult Run(SolveFrame frame, ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation);
}
