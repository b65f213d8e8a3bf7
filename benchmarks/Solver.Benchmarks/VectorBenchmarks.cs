using BenchmarkDotNet.Attributes;
using Dcdm.Sparse;

namespace Dcdm.Benchmarks;

/// <summary>The Krylov loops' vector kernels on 2 M doubles (a 128^3 pressure system): memory-bound, bytes per entry stated.</summary>
[MemoryDiagnoser]
public class VectorBenchmarks
{
    const int N = 1 << 21;
    readonly double[] _x = new double[N], _y = new double[N], _p = new double[N], _q = new double[N];

    [GlobalSetup]
    public void Fill()
    {
        var rng = new Random(1);
        foreach (var v in new[] { _x, _y, _p, _q })
            for (int i = 0; i < N; i++) v[i] = rng.NextDouble() - 0.5;
    }

    /// <summary>16 B per entry.</summary>
    [Benchmark] public double Dot() => VectorOps.Dot(_x, _y);

    /// <summary>24 B per entry.</summary>
    [Benchmark] public void Axpy() => VectorOps.Axpy(1e-9, _x, _y);

    /// <summary>24 B per entry.</summary>
    [Benchmark] public void Xpay() => VectorOps.Xpay(_x, 0.5, _y);

    /// <summary>48 B per entry: x += a p, r -= a q, r.r in one pass.</summary>
    [Benchmark] public double UpdateSolutionAndResidual() => VectorOps.UpdateSolutionAndResidual(1e-9, _p, _q, _x, _y);
}
