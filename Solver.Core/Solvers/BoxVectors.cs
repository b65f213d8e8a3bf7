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
            return AsTheGrids(inPlace, outsideSq, boxB, note, setupTime);
        }
        Gather(b, _b);
        Gather(x, _x);
        var result = inner.Solve(_b, _x, settings, cancellation);
        Scatter(_x, x);
        return AsTheGrids(result, outsideSq, _b, note, setupTime);
    }

    /// <summary>The sum of b^2 over the cells outside the box: whole planes, whole rows, then each row's ends.</summary>
    public double OutsideNormSquared(ReadOnlySpan<double> full)
    {
        var ((nx, ny, nz), origin, size) = crop;
        int plane = nx * ny;
        double sum = 0;
        for (int z = 0; z < nz; z++)
        {
            var p = full.Slice(z * plane, plane);
            if (z < origin.Z || z >= origin.Z + size.Z) { sum += VectorOps.Dot(p, p); continue; }
            for (int y = 0; y < ny; y++)
            {
                var row = p.Slice(y * nx, nx);
                if (y < origin.Y || y >= origin.Y + size.Y) { sum += VectorOps.Dot(row, row); continue; }
                var left = row[..origin.X];
                var right = row[(origin.X + size.X)..];
                sum += VectorOps.Dot(left, left) + VectorOps.Dot(right, right);
            }
        }
        return sum;
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
    public SolveResult AsTheGrids(SolveResult result, double outsideSq, ReadOnlySpan<double> boxB, string note, TimeSpan setupTime)
    {
        var details = new Dictionary<string, string>(result.Details) { ["grid"] = note };
        if (details.TryGetValue("unknowns", out var unknowns))
            details["unknowns"] = unknowns.Replace($" of {crop.Cells} ", $" of {(long)crop.Grid.X * crop.Grid.Y * crop.Grid.Z} "); // the caller's grid, not the box
        var projection = outsideSq == 0 ? result.Projection
            : result.Projection is { } p
                ? p with { RemovedNorm = Math.Sqrt(p.RemovedNorm * p.RemovedNorm + outsideSq), OriginalNorm = Math.Sqrt(p.OriginalNorm * p.OriginalNorm + outsideSq) }
            : new RangeProjection(0, Math.Sqrt(outsideSq), Math.Sqrt(VectorOps.Dot(boxB, boxB) + outsideSq));
        return result with { Details = details, Projection = projection, SetupTime = setupTime };
    }
}
