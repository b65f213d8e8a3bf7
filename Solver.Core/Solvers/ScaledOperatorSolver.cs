using System.Diagnostics;
using Dcdm.Multigrid;
using Dcdm.Poisson;

namespace Dcdm.Solvers;

/// <summary>
/// A voxel operator's solver run on the operator times a power of two and b times another (exact), where the operator's
/// diagonals lie far from 1 (a matrix written in other units, 1e+-300 say): A x = b as (s A) y = b / 2^eb with
/// x = y s 2^eb, s bringing the diagonals near 1 and 2^eb the largest |b|, so the solve's vectors lie near 1 too. Unscaled, A ~ 1e300
/// with b ~ 1 made x ~ 1e-300, whose corrections fell below double's normal range (pcg-mg ended with NaN in r.z after
/// two iterations); A ~ 1e-300 made DCDM's q.q overflow. Iterations and residuals are those of the scaled system, which
/// are A's own (the scalings are exact, but for entries of b more than 2^1022 below its largest and an x below double's
/// normal range, and the solvers' tests are relative but for the cells' float range, which the scaled operator meets). An x
/// that overflows as it is scaled back ends the solve as NotANumber; one below the normal range says so in the message.
/// </summary>
/// <param name="warmByDefault">The solver's options' <see cref="SolverOptions.UseInitialGuess"/>: whether x is a guess
/// where a call's settings do not say.</param>
internal sealed class ScaledOperatorSolver(ILinearSolver inner, double operatorScale, TimeSpan scaleTime, bool warmByDefault) : ILinearSolver
{
    /// <summary>Operators whose diagonals' mean exponent lies within +-this are solved as they are.</summary>
    internal const int Reach = 40;
    /// <summary>Diagonals sampled, evenly over the cells, for their mean exponent.</summary>
    const int Samples = 4096;

    readonly double[] _b = new double[inner.Size];

    public string Method => inner.Method;
    public int Size => inner.Size;
    /// <summary>The scaled copy of the operator plus the solver's own set-up on it.</summary>
    public TimeSpan SetupTime => scaleTime + inner.SetupTime;

    /// <summary>The solver <paramref name="create"/> makes for the operator, on it times a power of two where its
    /// diagonals lie far from 1 (<see cref="ScaleOf"/>).</summary>
    /// <param name="warmByDefault">As the constructor's: the options' warm start.</param>
    public static ILinearSolver Around(VoxelOperator op, Func<VoxelOperator, ILinearSolver> create, bool warmByDefault)
    {
        var clock = Stopwatch.StartNew();
        double scale = ScaleOf(op);
        if (scale == 1 || op.TimesPowerOfTwo(scale) is not { } scaled) return create(op);
        var scaleTime = clock.Elapsed;
        ILinearSolver onScaled;
        // refused even so (a contrast no scaling helps): the caller's own operator's refusal, which names its values
        try { onScaled = create(scaled); }
        catch (InvalidSystemException) { return create(op); }
        return new ScaledOperatorSolver(onScaled, scale, scaleTime, warmByDefault);
    }

    /// <summary>
    /// 2^-e, e the mean of the exponents of the diagonals of <see cref="Samples"/> cells spread over the grid (those that
    /// are unknowns), rounded; 1 where |e| is at most <see cref="Reach"/>. The cells are a Weyl sequence's (k times the
    /// golden ratio, modulo 1, times the cells), so no stride lines them up in one plane of a wall; where none is an
    /// unknown, every cell is read. A mean, so an operator's scale, not its contrast: one penalty term or a jump of 10^6
    /// leaves it near 1.
    /// </summary>
    internal static double ScaleOf(VoxelOperator op)
    {
        int n = op.CellCount, count = 0;
        double exponents = 0, golden = (Math.Sqrt(5) - 1) / 2, at = 0;
        void Take(int i)
        {
            if (op.Diagonal(i) is var d and > 0) { exponents += Math.Log2(d); count++; }
        }
        if (n <= Samples) for (int i = 0; i < n; i++) Take(i);
        else
        {
            for (int k = 0; k < Samples; k++, at += golden) Take((int)((at - Math.Floor(at)) * n));
            if (count == 0) for (int i = 0; i < n; i++) Take(i);
        }
        int e = count == 0 ? 0 : (int)Math.Round(exponents / count);
        return Math.Abs(e) <= Reach ? 1 : Math.ScaleB(1, -e);
    }

    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation = default)
    {
        if (b.Length != Size || x.Length != Size)
            throw new ArgumentException($"b and x must have {Size} entries (one per grid cell), got {b.Length} and {x.Length}");
        // b / 2^eb near 1 (b = 0 or not finite: as it is, which the solver then judges); then (s A) y = b / 2^eb gives
        // x = y s 2^eb, each a power of two applied to the exponents alone
        int eb = RightHandSideScale.ExponentOf(b), ex = Math.ILogB(operatorScale) + eb;
        b.CopyTo(_b);
        RightHandSideScale.Apply(_b, -eb);
        // a warm start's guess as y (whether the settings or the solver's options ask for one; else x is overwritten); a
        // finite guess that the scaling would take past double's range is dropped, not handed on as infinity
        string? dropped = null;
        if (settings.WarmStart ?? warmByDefault)
        {
            double largest = FineLevelCopies.LargestMagnitude(x);
            if (double.IsFinite(largest) && !double.IsFinite(Math.ScaleB(largest, -ex)))
            {
                x.Clear();
                dropped = $"dropped: its largest entry {largest:g3} leaves double's range once scaled with this operator "
                    + $"(solved as the operator times 2^{Math.ILogB(operatorScale)}); started from x = 0";
            }
        }
        RightHandSideScale.Apply(x, -ex);
        SolveResult result;
        double solved; // y's largest entry, before it is scaled back
        try { result = inner.Solve(_b, x, settings, cancellation); }
        finally
        {
            solved = FineLevelCopies.LargestMagnitude(x);
            RightHandSideScale.Apply(x, ex);
        }
        var details = new Dictionary<string, string>(result.Details)
        {
            ["scale"] = $"solved as the operator times 2^{Math.ILogB(operatorScale)} and b times 2^{-eb} (its diagonals lie far from 1), x scaled back",
        };
        if (dropped is not null) details["initial guess"] = dropped;
        // the projection's norms are the caller's b's
        var projection = result.Projection is { } p ? p with { RemovedNorm = Math.ScaleB(p.RemovedNorm, eb), OriginalNorm = Math.ScaleB(p.OriginalNorm, eb) } : null;
        result = result with { Details = details, SetupTime = SetupTime, Projection = projection };
        // y solved, but x = y s 2^eb past double's range: the residual said of y is not x's
        var (status, message) = RightHandSideScale.ScaledBack(result.Status, result.Message, solved, FineLevelCopies.LargestMagnitude(x),
            $"this operator's diagonals near 2^{-Math.ILogB(operatorScale)} with b near 2^{eb}");
        return result with { Status = status, Message = message };
    }

    public void Dispose() => inner.Dispose();
}
