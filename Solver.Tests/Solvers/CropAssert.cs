using Dcdm.Models;

namespace Dcdm.Tests.Solvers;

/// <summary>pcg-mg and DCDM made for a whole grid but run on a box inside it, checked against the whole grid's solve.</summary>
internal static class CropAssert
{
    /// <summary>
    /// Each of pcg-mg and DCDM (K-cycle) from <paramref name="create"/> is a <typeparamref name="TCropped"/> that solves b
    /// as the whole grid's pcg-mg did (<paramref name="expected"/>, <paramref name="reference"/>): converged, within an
    /// iteration, the same x (0 outside the box), b outside the box reported as removed, <paramref name="note"/> in its
    /// details, and a warm start from the answer through the box taking no iteration.
    /// </summary>
    public static void SolvesAsTheWholeGrid<TCropped>(Func<SolveMethod, IDirectionModel?, ILinearSolver> create, double[] b, double[] expected,
        SolveResult reference, string note)
    {
        foreach (var (method, model) in new (SolveMethod, IDirectionModel?)[] { (SolveMethod.PcgMg, null), (SolveMethod.Dcdm, new KCycleDirectionModel()) })
        {
            var solver = create(method, model);
            Assert.That(solver, Is.InstanceOf<TCropped>());
            var x = Enumerable.Repeat(double.NaN, b.Length).ToArray(); // every entry written, outside the box too
            var result = solver.Solve(b, x, SolveSettings.None);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(result.Iterations, Is.InRange(reference.Iterations - 1, reference.Iterations + 1), $"{method}: the whole grid took {reference.Iterations}");
            Assert.That(x, Is.EqualTo(expected).Within(1e-7 * expected.Max(Math.Abs)), $"{method}");
            Assert.That(result.Projection!.OriginalNorm, Is.EqualTo(reference.Projection!.OriginalNorm).Within(1e-12 * reference.Projection.OriginalNorm));
            Assert.That(result.Projection.RemovedNorm, Is.EqualTo(reference.Projection.RemovedNorm).Within(1e-12 * reference.Projection.OriginalNorm));
            Assert.That(result.Details["grid"], Does.StartWith(note));
            Assert.That(result.SetupTime, Is.EqualTo(solver.SetupTime));
            var again = solver.Solve(b, x, SolveSettings.FromGuess);
            Assert.That((again.Status, again.Iterations), Is.EqualTo((SolveStatus.Converged, 0)), "a warm start from the answer, through the box");
        }
    }
}
