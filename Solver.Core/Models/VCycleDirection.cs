using Dcdm.Multigrid;

namespace Dcdm.Models;

/// <summary>
/// <see cref="VCycleDirectionModel"/> bound to one grid: its levels with their predicted weights, in float32. A
/// direction with S sweeps streams about 2S + 6 float vectors per cell of the box around the unknowns and allocates nothing.
/// </summary>
internal sealed class VCycleDirection(VCycleLevel[] levels) : IDirection, IDirectionOnUnknowns
{
    public void Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        var fine = levels[0];
        if (r.Length != fine.Cells || q.Length != fine.Cells)
            throw new ArgumentException($"r and q must have {fine.Cells} entries (one per grid cell), got {r.Length} and {q.Length}");
        var d = fine.Diagonal;
        for (int i = 0; i < d.Length; i++) fine.B[i] = d[i] == 0 ? 0 : r[i]; // B is 0 off the unknowns
        Cycle(0);
        fine.X.CopyTo(q);
    }

    public void Apply(ReadOnlySpan<double> r, double scale, int[]? active, Span<double> q)
    {
        var fine = levels[0];
        var b = fine.B; var x = fine.X;
        // B is 0 off the unknowns and stays so: only the unknowns are written; scaled in double, then rounded (a scale
        // that brings r into float's range must act before the rounding)
        if (active is null) for (int i = 0; i < r.Length; i++) b[i] = (float)(r[i] * scale);
        else for (int i = 0; i < r.Length; i++) b[active[i]] = (float)(r[i] * scale);
        Cycle(0);
        if (active is null) for (int i = 0; i < q.Length; i++) q[i] = x[i];
        else for (int i = 0; i < q.Length; i++) q[i] = x[active[i]];
    }

    /// <summary>X = the cycle's approximation of A_l^-1 B on level l.</summary>
    void Cycle(int l)
    {
        var level = levels[l];
        VCycleKernels.Clear(level, level.X);
        if (l == levels.Length - 1)
        {
            for (int s = 0; s < VCycleDirectionModel.CoarsestSweeps; s++)
            {
                VCycleKernels.Sweep(level, 0, null);
                VCycleKernels.Sweep(level, 1, null);
            }
            return;
        }
        var weights = level.Weights;
        foreach (var w in weights) VCycleKernels.Sweep(level, 0, w);
        VCycleKernels.Residual(level);
        VCycleKernels.Restrict(level, levels[l + 1]);
        Cycle(l + 1);
        VCycleKernels.ProlongAdd(levels[l + 1], level);
        for (int s = weights.Length - 1; s >= 0; s--) VCycleKernels.Sweep(level, 1, weights[s]);
    }
}
