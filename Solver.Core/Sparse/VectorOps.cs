using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Dcdm.Sparse;

/// <summary>
/// Dense vector kernels on spans: SIMD over <see cref="Vector{T}"/>, and the fused updates the
/// Krylov loops use so that one iteration makes as few passes over memory as possible.
/// Long vectors are split in chunks across cores; short ones run on the calling thread.
/// </summary>
public static class VectorOps
{
    /// <summary>Below this length the fork/join cost exceeds the gain of a second core.</summary>
    internal const int ParallelThreshold = 1 << 16;

    /// <summary>sum_i x_i y_i.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        CheckLengths(x.Length, y.Length);
        if (x.Length < ParallelThreshold) return DotSerial(x, y);
        unsafe
        {
            fixed (double* px = x, py = y)
            {
                var (ax, ay, n) = ((nint)px, (nint)py, x.Length);
                return ParallelSum(n, (start, end) =>
                    DotSerial(new ReadOnlySpan<double>((double*)ax + start, end - start),
                              new ReadOnlySpan<double>((double*)ay + start, end - start)));
            }
        }
    }

    /// <summary>||x||_2.</summary>
    public static double Norm2(ReadOnlySpan<double> x) => Math.Sqrt(Dot(x, x));

    /// <summary>y += a x.</summary>
    public static void Axpy(double a, ReadOnlySpan<double> x, Span<double> y) => Combine(a, x, 1, y);

    /// <summary>y = x + b y (the CG direction update p = z + beta p), in parallel chunks on long vectors.</summary>
    public static void Xpay(ReadOnlySpan<double> x, double b, Span<double> y)
    {
        CheckLengths(x.Length, y.Length);
        if (x.Length < ParallelThreshold) { Combine(1, x, b, y); return; }
        unsafe
        {
            fixed (double* px = x, py = y)
            {
                var (ax, ay) = ((nint)px, (nint)py);
                ParallelChunks(x.Length, (s, e) => Combine(1, new ReadOnlySpan<double>((double*)ax + s, e - s), b, new Span<double>((double*)ay + s, e - s)));
            }
        }
    }

    /// <summary>y = a x + b y: 24 bytes per entry, memory-bound, so the multiply by 1 of the two forms above costs nothing (and is exact).</summary>
    static void Combine(double a, ReadOnlySpan<double> x, double b, Span<double> y)
    {
        CheckLengths(x.Length, y.Length);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var (va, vb) = (new Vector<double>(a), new Vector<double>(b));
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            for (int k = 0; k < vy.Length; k++) vy[k] = va * vx[k] + vb * vy[k];
            i = vy.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++) y[i] = a * x[i] + b * y[i];
    }

    /// <summary>
    /// x += alpha p; r -= alpha q; returns r.r. One pass: reads x, p, r, q and writes x, r
    /// (48 bytes per unknown in double) instead of three passes (two axpys and a dot: 64 bytes).
    /// </summary>
    public static double UpdateSolutionAndResidual(double alpha, ReadOnlySpan<double> p, ReadOnlySpan<double> q,
                                                   Span<double> x, Span<double> r)
    {
        CheckLengths(p.Length, x.Length); CheckLengths(q.Length, r.Length); CheckLengths(x.Length, r.Length);
        if (x.Length < ParallelThreshold) return UpdateSerial(alpha, p, q, x, r);
        unsafe
        {
            fixed (double* pp = p, pq = q, px = x, pr = r)
            {
                var (ap, aq, ax, ar) = ((nint)pp, (nint)pq, (nint)px, (nint)pr);
                return ParallelSum(x.Length, (s, e) => UpdateSerial(alpha,
                    new ReadOnlySpan<double>((double*)ap + s, e - s), new ReadOnlySpan<double>((double*)aq + s, e - s),
                    new Span<double>((double*)ax + s, e - s), new Span<double>((double*)ar + s, e - s)));
            }
        }
    }

    /// <summary>True when every entry is finite.</summary>
    public static bool AllFinite(ReadOnlySpan<double> x)
    {
        foreach (double v in x) if (!double.IsFinite(v)) return false;
        return true;
    }

    static double DotSerial(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        double sum = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= 2 * Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
            Vector<double> s0 = Vector<double>.Zero, s1 = Vector<double>.Zero;
            int k = 0;
            for (; k + 1 < vx.Length; k += 2) { s0 += vx[k] * vy[k]; s1 += vx[k + 1] * vy[k + 1]; }
            if (k < vx.Length) s0 += vx[k] * vy[k];
            sum = Vector.Sum(s0 + s1);
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++) sum += x[i] * y[i];
        return sum;
    }

    static double UpdateSerial(double alpha, ReadOnlySpan<double> p, ReadOnlySpan<double> q, Span<double> x, Span<double> r)
    {
        double rr = 0;
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var va = new Vector<double>(alpha);
            var vp = MemoryMarshal.Cast<double, Vector<double>>(p);
            var vq = MemoryMarshal.Cast<double, Vector<double>>(q);
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vr = MemoryMarshal.Cast<double, Vector<double>>(r);
            var acc = Vector<double>.Zero;
            for (int k = 0; k < vx.Length; k++)
            {
                vx[k] += va * vp[k];
                var rk = vr[k] - va * vq[k];
                vr[k] = rk;
                acc += rk * rk;
            }
            rr = Vector.Sum(acc);
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++)
        {
            x[i] += alpha * p[i];
            r[i] -= alpha * q[i];
            rr += r[i] * r[i];
        }
        return rr;
    }

    /// <summary>
    /// dots[j] = x.ys[j] for every j in one pass over x: each chunk of x is read once and stays in cache
    /// while the ys are streamed, (k + 1) 8 bytes per entry instead of 2k 8 for k separate dots.
    /// </summary>
    public static void Dots(double[] x, ReadOnlySpan<double[]> ys, Span<double> dots)
    {
        int k = ys.Length, n = x.Length;
        if (dots.Length < k) throw new ArgumentException($"dots has {dots.Length} entries for {k} vectors");
        foreach (var y in ys) CheckLengths(n, y.Length);
        if (k == 0) return;
        int chunks = n < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount * 4, n / 8192);
        var partial = new double[chunks * k];
        var vectors = ys.ToArray();
        void Chunk(int c)
        {
            int start = (int)((long)n * c / chunks), end = (int)((long)n * (c + 1) / chunks);
            for (int block = start; block < end; block += 4096)
            {
                var xb = new ReadOnlySpan<double>(x, block, Math.Min(4096, end - block));
                for (int j = 0; j < k; j++) partial[c * k + j] += DotSerial(xb, new ReadOnlySpan<double>(vectors[j], block, xb.Length));
            }
        }
        if (chunks == 1) Chunk(0); else Parallel.For(0, chunks, Chunk);
        for (int j = 0; j < k; j++)
        {
            double sum = 0;
            for (int c = 0; c < chunks; c++) sum += partial[c * k + j];
            dots[j] = sum;
        }
    }

    /// <summary>q -= sum_j c[j] ps[j] in one pass over q (Gram-Schmidt's update): each chunk of q stays in cache.</summary>
    public static void SubtractCombination(ReadOnlySpan<double> c, ReadOnlySpan<double[]> ps, double[] q)
    {
        int k = ps.Length, n = q.Length;
        if (c.Length < k) throw new ArgumentException($"{c.Length} coefficients for {k} vectors");
        foreach (var p in ps) CheckLengths(n, p.Length);
        if (k == 0) return;
        int chunks = n < ParallelThreshold ? 1 : Math.Min(Environment.ProcessorCount * 4, n / 8192);
        var vectors = ps.ToArray();
        var coefficients = c[..k].ToArray();
        void Chunk(int ch)
        {
            int start = (int)((long)n * ch / chunks), end = (int)((long)n * (ch + 1) / chunks);
            for (int block = start; block < end; block += 4096)
            {
                int length = Math.Min(4096, end - block);
                var qb = new Span<double>(q, block, length);
                for (int j = 0; j < k; j++) Axpy(-coefficients[j], new ReadOnlySpan<double>(vectors[j], block, length), qb);
            }
        }
        if (chunks == 1) Chunk(0); else Parallel.For(0, chunks, Chunk);
    }

    /// <summary>Runs body(start, end) over <see cref="ParallelSum"/>'s chunks of 0..n-1 in parallel; below
    /// <see cref="ParallelThreshold"/> entries, body(0, n) on the calling thread.</summary>
    internal static void ParallelChunks(int n, Action<int, int> body)
    {
        if (n < ParallelThreshold) body(0, n);
        else ParallelParts(n, (start, end) => { body(start, end); return 0; });
    }

    /// <summary>Sums body(start, end) over a fixed chunking, so the result does not depend on scheduling.</summary>
    internal static double ParallelSum(int n, Func<int, int, double> body)
    {
        double sum = 0;
        foreach (double s in ParallelParts(n, body)) sum += s;
        return sum;
    }

    /// <summary>body(start, end) of each chunk of 0..n-1 (a fixed chunking: at most four per core, at least 8192 entries each), run in parallel.</summary>
    internal static double[] ParallelParts(int n, Func<int, int, double> body)
    {
        int chunks = Math.Min(Environment.ProcessorCount * 4, Math.Max(1, n / 8192));
        var partial = new double[chunks];
        Parallel.For(0, chunks, c => partial[c] = body((int)((long)n * c / chunks), (int)((long)n * (c + 1) / chunks)));
        return partial;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    static void CheckLengths(int a, int b)
    {
        if (a != b) throw new ArgumentException($"vector lengths differ: {a} and {b}");
    }
}
