using Dcdm.Multigrid;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's vectors carried to and from a box inside it (<see cref="CroppedBox"/>: x fastest in both), and the box's
/// solve result told as the grid's: its rows, and b on cells outside the box (no unknown is there) as removed, as the
/// whole grid's solver removes it. A box that spans the grid along x and y (whole planes: a free surface with air above)
/// is one run of the grid's cells, which the box's solver takes in place, with no copy of b or x.
/// </summary>
/// <param name="vectors">Whether <see cref="Solve"/> will carry full-grid vectors (else the box's arrays are not made).</param>
internal sealed class BoxVectors(CroppedBox crop, bool vectors = true)
{
    public CroppedBox Crop => crop;

    /// <summary>Where the box is whole planes: its first cell in the grid and its cells; else null.</summary>
    readonly (int Start, int Length)? _planes = WholePlanes(crop) ? (crop.Origin.Z * crop.Grid.X * crop.Grid.Y, (int)crop.Cells) : null;
    // the box's b and x where it is not whole planes (the solver's own, so a re-bind's where the box keeps its size)
    readonly double[] _b = BoxArray(crop, vectors), _x = BoxArray(crop, vectors);

    static bool WholePlanes(CroppedBox c) => c.Size.X == c.Grid.X && c.Size.Y == c.Grid.Y;

    static double[] BoxArray(CroppedBox c, bool vectors) => vectors && !WholePlanes(c) ? RebindCache.Array<double>((int)c.Cells, zeroed: false) : [];

    /// <summary>
    /// Solves on the box with full-grid vectors: b outside the box counted as removed, x 0 outside it. Whole planes
    /// are handed to <paramref name="inner"/> in place; otherwise b and x are gathered into the box's arrays and x
    /// scattered back.
    /// </summary>
    public SolveResult Solve(ILinearSolver inner, ReadOnlySpan<double> b, Span<double> x, SolveSettings settings, CancellationToken cancellation,
        string note, TimeSpan setupTime)
    {
        double outsideSq = OutsideNormSquared(b); // summed directly: exactly 0 when b is 0 outside the box
        if (_planes is var (start, length))
        {
            var boxB = b.Slice(start, length);
            var inPlace = inner.Solve(boxB, x.Slice(start, length), settings, cancellation);
            x[..start].Clear(); // x is 0 outside the box
            x[(start + length)..].Clear();
            return Counted(inPlace, b, outsideSq, boxB, note, setupTime);
        }
        Gather(b, _b);
        Gather(x, _x);
        var result = inner.Solve(_b, _x, settings, cancellation);
        Scatter(_x, x);
        return Counted(result, b, outsideSq, _b, note, setupTime);
    }

    /// <summary>
    /// <see cref="AsTheGrids"/> with b outside the box counted in its norms; where the box's solve scaled b (its `b scale`
    /// detail: b far from 1) or b's squares outside overflow, on b times 2^-e (exact), e the exponent of the largest of
    /// those norms, b outside and b in the box, so that the squares stay in double's range.
    /// </summary>
    SolveResult Counted(SolveResult result, ReadOnlySpan<double> full, double outsideSq, ReadOnlySpan<double> boxB, string note, TimeSpan setupTime)
    {
        if (double.IsFinite(outsideSq) && !result.Details.ContainsKey(RightHandSideScale.Detail)) return AsTheGrids(result, outsideSq, boxB, note, setupTime);
        double largest = Math.Max(Math.Max(OutsideLargest(full), FineLevelCopies.LargestMagnitude(boxB)),
            result.Projection is { } p ? Math.Max(p.RemovedNorm, p.OriginalNorm) : 0);
        if (!(largest > 0 && double.IsFinite(largest))) return AsTheGrids(result, outsideSq, boxB, note, setupTime);
        int e = Math.ILogB(largest);
        return AsTheGrids(result, OutsideNormSquared(full, e), boxB, note, setupTime, e);
    }

    /// <summary>The sum of b^2 over the cells outside the box: whole planes, whole rows, then each row's ends.</summary>
    public double OutsideNormSquared(ReadOnlySpan<double> full) => OutsideNormSquared(full, 0);

    /// <summary>The sum of (b 2^-e)^2 over the cells outside the box, in the order the unscaled sum takes (each part copied
    /// scaled, then its dot), so it is that sum times 2^-2e exactly wherever no square leaves double's normal range.</summary>
    double OutsideNormSquared(ReadOnlySpan<double> full, int e) => Outside(full, e == 0 ? Squared : part => SquaredTimes(part, e), (a, b) => a + b);

    /// <summary>v.v: every solve's measure of b outside the box, made once (no closure per solve).</summary>
    static readonly Measure Squared = part => VectorOps.Dot(part, part);

    /// <summary>The sum of (v 2^-e)^2, in the order of v's own dot.</summary>
    static double SquaredTimes(ReadOnlySpan<double> v, int e)
    {
        if (e == 0) return VectorOps.Dot(v, v);
        var scaled = new double[v.Length];
        for (int i = 0; i < scaled.Length; i++) scaled[i] = Math.ScaleB(v[i], -e);
        return VectorOps.Dot(scaled, scaled);
    }

    /// <summary>The largest |b| outside the box.</summary>
    double OutsideLargest(ReadOnlySpan<double> full) => Outside(full, part => FineLevelCopies.LargestMagnitude(part), Math.Max);

    delegate double Measure(ReadOnlySpan<double> part);

    /// <summary>The parts of <paramref name="full"/> outside the box (whole planes, whole rows, then each row's two ends)
    /// measured and combined in that order, a row's two ends with each other first.</summary>
    double Outside(ReadOnlySpan<double> full, Measure measure, Func<double, double, double> combine)
    {
        var ((nx, ny, nz), origin, size) = crop;
        int plane = nx * ny;
        double total = 0;
        for (int z = 0; z < nz; z++)
        {
            var p = full.Slice(z * plane, plane);
            if (z < origin.Z || z >= origin.Z + size.Z) { total = combine(total, measure(p)); continue; }
            for (int y = 0; y < ny; y++)
            {
                var row = p.Slice(y * nx, nx);
                if (y < origin.Y || y >= origin.Y + size.Y) { total = combine(total, measure(row)); continue; }
                total = combine(total, combine(measure(row[..origin.X]), measure(row[(origin.X + size.X)..])));
            }
        }
        return total;
    }

    void Gather(ReadOnlySpan<double> full, double[] onBox)
    {
        var ((nx, ny, _), origin, (sx, sy, sz)) = crop;
        for (int z = 0; z < sz; z++)
            for (int y = 0; y < sy; y++)
                full.Slice(origin.X + nx * (origin.Y + y + ny * (origin.Z + z)), sx).CopyTo(onBox.AsSpan(sx * (y + sy * z), sx));
    }

    void Scatter(double[] onBox, Span<double> full)
    {
        full.Clear(); // x is 0 outside the box
        var ((nx, ny, _), origin, (sx, sy, sz)) = crop;
        for (int z = 0; z < sz; z++)
            for (int y = 0; y < sy; y++)
                onBox.AsSpan(sx * (y + sy * z), sx).CopyTo(full.Slice(origin.X + nx * (origin.Y + y + ny * (origin.Z + z)), sx));
    }

    /// <summary>
    /// The box's result as the grid's: <paramref name="note"/> as its "grid" detail, the grid's rows in "unknowns",
    /// b outside the box (<paramref name="outsideSq"/>, of which <paramref name="boxB"/> was the rest) as removed.
    /// </summary>
    /// <param name="exponent">e where <paramref name="outsideSq"/> is of b outside times 2^-e (b far from 1): the norms are
    /// combined times 2^-e too, and scaled back.</param>
    public SolveResult AsTheGrids(SolveResult result, double outsideSq, ReadOnlySpan<double> boxB, string note, TimeSpan setupTime, int exponent = 0)
    {
        var details = new Dictionary<string, string>(result.Details) { ["grid"] = note };
        if (details.TryGetValue("unknowns", out var unknowns))
            details["unknowns"] = unknowns.Replace($" of {crop.Cells} ", $" of {(long)crop.Grid.X * crop.Grid.Y * crop.Grid.Z} "); // the caller's grid, not the box
        double With(double norm) { double scaled = Math.ScaleB(norm, -exponent); return Math.ScaleB(Math.Sqrt(scaled * scaled + outsideSq), exponent); }
        var projection = outsideSq == 0 ? result.Projection
            : result.Projection is { } p ? p with { RemovedNorm = With(p.RemovedNorm), OriginalNorm = With(p.OriginalNorm) }
            : new RangeProjection(0, Math.ScaleB(Math.Sqrt(outsideSq), exponent), Math.ScaleB(Math.Sqrt(SquaredTimes(boxB, exponent) + outsideSq), exponent));
        return result with { Details = details, Projection = projection, SetupTime = setupTime };
    }
}
