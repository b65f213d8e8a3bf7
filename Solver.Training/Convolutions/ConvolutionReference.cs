namespace Dcdm.Training.Convolutions;

/// <summary>
/// A convolution, its input gradient and its weight gradient as plain loops in double: the values libtorch must reproduce.
/// Both kinds are one loop over (batch, in channel, out channel, "short" position p, kernel offset k), where the "long"
/// position is q = p s - pad + k: a convolution reads x at q and writes y at p; its transpose reads x at p and writes y at q.
/// </summary>
static class ConvolutionReference
{
    /// <summary>y = conv(x, w), dL/dx and dL/dw for L = sum(y * g).</summary>
    public static (double[] Y, double[] Dx, double[] Dw) Evaluate(ConvolutionCase c, float[] x, float[] w, float[] g)
    {
        var (inZ, inY, inX) = c.Size;
        var (outZ, outY, outX) = c.OutputSize;
        int inCells = inZ * inY * inX, outCells = outZ * outY * outX;
        var y = new double[c.Batch * c.OutChannels * outCells];
        var dx = new double[x.Length];
        var dw = new double[w.Length];
        // the short side is the output of a convolution and the input of a transpose
        var (sz, sy, sx) = c.Transposed ? c.Size : c.OutputSize;
        var (lz, ly, lx) = c.Transposed ? c.OutputSize : c.Size;
        int k = c.Kernel, k3 = k * k * k;
        for (int n = 0; n < c.Batch; n++)
            for (int i = 0; i < c.InChannels; i++)
                for (int o = 0; o < c.OutChannels; o++)
                {
                    int wBase = (c.Transposed ? i * c.OutChannels + o : o * c.InChannels + i) * k3;
                    int xBase = (n * c.InChannels + i) * inCells, yBase = (n * c.OutChannels + o) * outCells;
                    for (int pz = 0; pz < sz; pz++)
                    for (int py = 0; py < sy; py++)
                    for (int px = 0; px < sx; px++)
                    {
                        int p = px + sx * (py + sy * pz);
                        for (int kz = 0; kz < k; kz++)
                        {
                            int qz = pz * c.Stride - c.Padding + kz;
                            if (qz < 0 || qz >= lz) continue;
                            for (int ky = 0; ky < k; ky++)
                            {
                                int qy = py * c.Stride - c.Padding + ky;
                                if (qy < 0 || qy >= ly) continue;
                                for (int kx = 0; kx < k; kx++)
                                {
                                    int qx = px * c.Stride - c.Padding + kx;
                                    if (qx < 0 || qx >= lx) continue;
                                    int q = qx + lx * (qy + ly * qz), wi = wBase + kx + k * (ky + k * kz);
                                    int xi = xBase + (c.Transposed ? p : q), yi = yBase + (c.Transposed ? q : p);
                                    y[yi] += (double)w[wi] * x[xi];
                                    dx[xi] += (double)w[wi] * g[yi];
                                    dw[wi] += (double)x[xi] * g[yi];
                                }
                            }
                        }
                    }
                }
        return (y, dx, dw);
    }
}
