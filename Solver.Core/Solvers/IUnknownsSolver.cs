namespace Dcdm.Solvers;

/// <summary>
/// A solver that can take its vectors already restricted to its unknowns (one entry per unknown, in its order), which
/// spares a caller holding them so a copy to the full layout and the solver's restriction back: compact vectors where
/// every fluid cell is an unknown (<see cref="CompactGridSolver"/>). The same loop, result and projection as
/// <see cref="ILinearSolver.Solve"/> on those vectors scattered to the full layout.
/// </summary>
internal interface IUnknownsSolver : ILinearSolver
{
    /// <summary>Whether the loop runs on the unknowns (a full-grid iteration, matrix-free on the faces, does not).</summary>
    bool RunsOnUnknowns { get; }

    /// <summary>Each unknown's row in the full layout (a grid's cell), ascending; null: every row is one.</summary>
    int[]? UnknownCells { get; }

    /// <summary>Solves with b and x one entry per unknown.</summary>
    /// <exception cref="InvalidOperationException">The loop does not run on the unknowns (<see cref="RunsOnUnknowns"/>).</exception>
    SolveResult SolveOnUnknowns(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default);
}
