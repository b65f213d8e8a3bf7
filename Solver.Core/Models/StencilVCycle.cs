namespace Dcdm.Models;

/// <summary>The model bound to one grid: stencils of every level, work buffers for the V-cycle.</summary>
internal sealed class StencilVCycle : IDirection
{
    readonly IReadOnlyList<(int Nx, int Ny, int Nz)> _levels;
    readonly StencilField[] _smooth, _down, _up;
    readonly StencilField _coarse;
    readonly float _mixSkip, _mixCoarse;
    readonly float[][] _x, _skip, _z, _work;

    public StencilVCycle(StencilHierarchy stencils)
    {
        var levels = stencils.Levels;
        _levels = levels;
        _smooth = stencils.Smooth; _down = stencils.Down; _up = stencils.Up; _coarse = stencils.Coarse;
        _mixSkip = stencils.MixSkip; _mixCoarse = stencils.MixCoarse;
        int count = levels.Count;
        _x = new float[count][]; _skip = new float[count][]; _z = new float[count][]; _work = new float[count][];
        for (int l = 0; l < count; l++)
        {
            int n = levels[l].Item1 * levels[l].Item2 * levels[l].Item3;
            _x[l] = new float[n]; _skip[l] = new float[n]; _work[l] = new float[n];
            // x is read only on the way down and z written only on the way up, so they share a buffer;
            // on the coarsest level z = S x needs its own
            _z[l] = l == count - 1 ? new float[n] : _x[l];
        }
    }

    public void Apply(ReadOnlySpan<float> r, Span<float> q)
    {
        int last = _levels.Count - 1;
        if (r.Length != _x[0].Length || q.Length != _x[0].Length)
            throw new ArgumentException($"r and q must have {_x[0].Length} entries (one per grid cell), got {r.Length} and {q.Length}");
        r.CopyTo(_x[0]);
        for (int l = 0; l < last; l++)
        {
            NetworkLayers.ApplyStencil(_smooth[l], _x[l], _skip[l], _levels[l]);
            NetworkLayers.ApplyStencil(_down[l], _x[l], _work[l], _levels[l]);
            NetworkLayers.PoolInto(_work[l], _levels[l], _levels[l + 1], _x[l + 1]);
        }
        NetworkLayers.ApplyStencil(_coarse, _x[last], _z[last], _levels[last]);
        for (int l = last - 1; l >= 0; l--)
        {
            NetworkLayers.UpsampleInto(_z[l + 1], _levels[l + 1], _levels[l], _work[l]);
            NetworkLayers.ApplyStencil(_up[l], _work[l], _z[l], _levels[l]);
            NetworkLayers.Mix(_mixSkip, _skip[l], 4 * _mixCoarse, _z[l]);
        }
        _z[0].CopyTo(q);
    }
}
