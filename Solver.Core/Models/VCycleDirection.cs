using Dcdm.Multigrid;

namespace Dcdm.Models;

/// <summary><see cref="VCycleDirectionModel"/> bound to one grid: its levels and the predicted smoothers of each.</summary>
internal sealed class VCycleDirection(MultigridLevel[] levels, StencilField[] pre, StencilField[] post) : IDirection
{
    public void Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        var fine = levels[0];
        if (r.Length != fine.Cells || q.Length != fine.Cells)
            throw new ArgumentException($"r and q must have {fine.Cells} entries (one per grid cell), got {r.Length} and {q.Length}");
        var d = fine.Diagonal;
        for (int i = 0; i < d.Length; i++) fine.B[i] = d[i] == 0 ? 0 : r[i];
        Cycle(0);
        for (int i = 0; i < d.Length; i++) q[i] = (float)fine.X[i];
    }

    /// <summary>X = the cycle's approximation of A_l^-1 B on level l.</summary>
    void Cycle(int l)
    {
        var level = levels[l];
        if (l == levels.Length - 1)
        {
            Array.Clear(level.X);
            for (int s = 0; s < VCycleDirectionModel.CoarsestSweeps; s++)
                foreach (int colour in (ReadOnlySpan<int>)[0, 1, 1, 0]) LevelOps.GaussSeidelColour(level, colour);
            return;
        }
        double scale = 1 / level.Scale;
        LevelOps.ApplyStencil(level, pre[l], scale, level.B, level.X, add: false);
        LevelOps.Residual(level);
        LevelOps.Restrict(level, levels[l + 1]);
        Cycle(l + 1);
        LevelOps.ProlongAdd(levels[l + 1], level);
        LevelOps.Residual(level);
        LevelOps.ApplyStencil(level, post[l], scale, level.Work, level.X, add: true);
    }
}
