namespace Dcdm.Models;

/// <summary>
/// <see cref="VCycleDirectionModel"/> bound to one grid: its levels with their predicted weights, in float32. A
/// direction with S sweeps streams about 2S + 6 float vectors per fine cell and allocates nothing.
/// </summary>
internal sealed class VCycleDirection(VCycleLevel[] levels) : IDirection
{
    public void Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        var fine = levels[0];
        if (r.Length != fine.Cells || q.Length != fine.Cells)
            throw new ArgumentException($"r and q must have {fine.Cells} entries (one per grid cell), got {r.Length} and {q.Length}");
        var d = fine.Diagonal;
        for (int i = 0; i < d.Length; i++) fine.B[i] = d[i] == 0 ? 0 : r[i];
        Cycle(0);
        fine.X.CopyTo(q);
    }

    /// <summary>X = the cycle's approximation of A_l^-1 B on level l.</summary>
    void Cycle(int l)
    {
        var level = levels[l];
        int plane = level.Nx * level.Ny;
        if (level.LastPlane >= level.FirstPlane) Array.Clear(level.X, level.FirstPlane * plane, (level.LastPlane - level.FirstPlane + 1) * plane); // 0 elsewhere
        if (l == levels.Length - 1)
        {
            for (int s = 0; s < VCycleDirectionModel.CoarsestSweeps; s++)
                foreach (int colour in (ReadOnlySpan<int>)[0, 1, 1, 0]) VCycleKernels.Relax(level, colour, null);
            return;
        }
        var weights = level.Weights;
        foreach (var w in weights)
        {
            VCycleKernels.Relax(level, 0, w);
            VCycleKernels.Relax(level, 1, w);
        }
        VCycleKernels.Residual(level);
        VCycleKernels.Restrict(level, levels[l + 1]);
        Cycle(l + 1);
        VCycleKernels.ProlongAdd(levels[l + 1], level);
        for (int s = weights.Length - 1; s >= 0; s--)
        {
            VCycleKernels.Relax(level, 1, weights[s]);
            VCycleKernels.Relax(level, 0, weights[s]);
        }
    }
}
