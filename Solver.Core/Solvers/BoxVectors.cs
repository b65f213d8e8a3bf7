using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's vectors carried to and from a box inside it (<see cref="CroppedBox"/>: x fastest in both), and the box's
/// solve result told as the grid's: its rows, and b on cells outside the box (no unknown is there) as removed, as the
/// whole grid's solver removes it.
/// </summary>
internal sealed class BoxVectors(CroppedBox crop)
{
    public CroppedBox Crop => crop;

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

    public void Gather(ReadOnlySpan<double> full, double[] onBox)
    {
        var ((nx, ny, _), origin, (sx, sy, sz)) = crop;
        for (int z = 0; z < sz; z++)
            for (int y = 0; y < sy; y++)
                full.Slice(origin.X + nx * (origin.Y + y + ny * (origin.Z + z)), sx).CopyTo(onBox.AsSpan(sx * (y + sy * z), sx));
    }

    public void Scatter(double[] onBox, Span<double> full)
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
    public SolveResult AsTheGrids(SolveResult result, double outsideSq, double[] boxB, string note, TimeSpan setupTime)
    {
        var details = new Dictionary<string, string>(result.Details) { ["grid"] = note };
        if (details.TryGetValue("unknowns", out var unknowns))
            details["unknowns"] = unknowns.Replace($" of {crop.Cells} rows", $" of {(long)crop.Grid.X * crop.Grid.Y * crop.Grid.Z} rows");
        var projection = outsideSq == 0 ? result.Projection
            : result.Projection is { } p
                ? p with { RemovedNorm = Math.Sqrt(p.RemovedNorm * p.RemovedNorm + outsideSq), OriginalNorm = Math.Sqrt(p.OriginalNorm * p.OriginalNorm + outsideSq) }
            : new RangeProjection(0, Math.Sqrt(outsideSq), Math.Sqrt(VectorOps.Dot(boxB, boxB) + outsideSq));
        return result with { Details = details, Projection = projection, SetupTime = setupTime };
    }
}
