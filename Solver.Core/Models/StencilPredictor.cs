namespace Dcdm.Models;

/// <summary>
/// One block's predictor from the cell flags: Conv3x3x3(3 -> C), ReLU, Conv1x1(C -> outputs); 27 outputs make a
/// stencil per cell (the stencil model), one per sweep the relaxation weights of the vcycle model.
/// </summary>
internal sealed class StencilPredictor
{
    readonly float[] _hidden;       // [channel in][tap][C]: the C outputs of one tap are contiguous (one vector for C = 8)
    readonly float[] _hiddenBias;
    readonly float[] _stencil;      // [outputs][C]
    readonly float[] _stencilBias;
    readonly int _channels;
    readonly int _outputs;

    public StencilPredictor(float[] hiddenWeight, float[] hiddenBias, float[] stencilWeight, float[] stencilBias, int channels, int outputs = 27)
    {
        _channels = channels;
        _outputs = outputs;
        _hiddenBias = hiddenBias;
        _stencil = stencilWeight;
        _stencilBias = stencilBias;
        _hidden = new float[StencilDirectionModel.FlagChannels * 27 * channels];
        for (int c = 0; c < channels; c++)
            for (int k = 0; k < StencilDirectionModel.FlagChannels * 27; k++)
                _hidden[k * channels + c] = hiddenWeight[c * StencilDirectionModel.FlagChannels * 27 + k];
    }

    /// <summary>Block <paramref name="block"/>'s weights from a model file: {block}.hidden.* and {block}.stencil.*, shapes checked.</summary>
    public static StencilPredictor From(ModelFile file, string block, int channels, int outputs = 27) => new(
        file.Tensor($"{block}.hidden.weight", channels, StencilDirectionModel.FlagChannels, 3, 3, 3).Values, file.Tensor($"{block}.hidden.bias", channels).Values,
        file.Tensor($"{block}.stencil.weight", outputs, channels, 1, 1, 1).Values, file.Tensor($"{block}.stencil.bias", outputs).Values, channels, outputs);

    /// <summary>
    /// The stencil of every cell: the uniform rows 0..2, then each other row computed once, at its
    /// representative cell (<see cref="StencilRows"/>). Every cell of a row has the same neighbourhood,
    /// so the stencil is the one its own cell would get.
    /// </summary>
    public StencilField Predict(float[] flags, (int Nx, int Ny, int Nz) size, StencilRows rows)
    {
        int width = _outputs;
        var table = new float[(StencilDirectionModel.FlagChannels + rows.Representative.Length) * width];
        for (int t = 0; t < StencilDirectionModel.FlagChannels; t++) UniformStencil(t).CopyTo(table, t * width);
        const int block = 256;
        Parallel.For(0, (rows.Representative.Length + block - 1) / block, k =>
        {
            var h = new float[_channels];
            for (int r = k * block; r < Math.Min(rows.Representative.Length, (k + 1) * block); r++)
                StencilAt(flags, size, rows.Representative[r], h, table.AsSpan((StencilDirectionModel.FlagChannels + r) * width, width));
        });
        return new StencilField(rows.Slot, table);
    }

    /// <summary>The stencil of one cell: Conv3x3x3 of the flags around it (zero outside the grid), ReLU, Conv1x1.</summary>
    void StencilAt(float[] flags, (int Nx, int Ny, int Nz) size, int cell, float[] h, Span<float> into)
    {
        var (nx, ny, nz) = size;
        int n = nx * ny * nz, channels = _channels;
        int x = cell % nx, y = cell / nx % ny, z = cell / (nx * ny);
        _hiddenBias.CopyTo(h, 0);
        for (int ci = 0; ci < StencilDirectionModel.FlagChannels; ci++)
            for (int dz = 0; dz < 3; dz++)
            {
                int zz = z + dz - 1;
                if (zz < 0 || zz >= nz) continue;
                for (int dy = 0; dy < 3; dy++)
                {
                    int yy = y + dy - 1;
                    if (yy < 0 || yy >= ny) continue;
                    for (int dx = 0; dx < 3; dx++)
                    {
                        int xx = x + dx - 1;
                        if (xx < 0 || xx >= nx) continue;
                        float f = flags[ci * n + (zz * ny + yy) * nx + xx];
                        if (f == 0) continue; // flags are mostly one-hot: 1 of 3 channels per tap
                        int k = (ci * 3 + dz) * 9 + dy * 3 + dx;
                        AddScaled(h, _hidden.AsSpan(k * channels, channels), f);
                    }
                }
            }
        Output(h, into);
    }

    /// <summary>ReLU, then the 1x1 convolution to the outputs.</summary>
    void Output(float[] h, Span<float> stencil)
    {
        for (int c = 0; c < h.Length; c++) h[c] = Math.Max(0f, h[c]);
        for (int o = 0; o < _outputs; o++) stencil[o] = _stencilBias[o] + Dot(_stencil.AsSpan(o * _channels, _channels), h);
    }

    /// <summary>The stencil of a cell whose 27 neighbours all have flag channel t = 1 and the others 0.</summary>
    float[] UniformStencil(int t)
    {
        var h = (float[])_hiddenBias.Clone();
        for (int k = 0; k < 27; k++) AddScaled(h, _hidden.AsSpan((t * 27 + k) * _channels, _channels), 1f);
        var stencil = new float[_outputs];
        Output(h, stencil);
        return stencil;
    }

    static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        int c = 0;
        float sum = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<float>.Count;
            var acc = System.Numerics.Vector<float>.Zero;
            for (; c + width <= a.Length; c += width) acc += new System.Numerics.Vector<float>(a[c..]) * new System.Numerics.Vector<float>(b[c..]);
            sum = System.Numerics.Vector.Sum(acc);
        }
        for (; c < a.Length; c++) sum += a[c] * b[c];
        return sum;
    }

    /// <summary>h += f w, vectorised over the channels.</summary>
    static void AddScaled(Span<float> h, ReadOnlySpan<float> w, float f)
    {
        int c = 0;
        if (System.Numerics.Vector.IsHardwareAccelerated)
        {
            int width = System.Numerics.Vector<float>.Count;
            var scale = new System.Numerics.Vector<float>(f);
            for (; c + width <= h.Length; c += width)
                (new System.Numerics.Vector<float>(h[c..]) + scale * new System.Numerics.Vector<float>(w[c..])).CopyTo(h[c..]);
        }
        for (; c < h.Length; c++) h[c] += f * w[c];
    }
}
