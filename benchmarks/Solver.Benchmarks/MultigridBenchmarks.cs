using BenchmarkDotNet.Attributes;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Benchmarks;

/// <summary>pcg-mg's aggregate K-cycle on a 64^3 grid with thin baffles: the set-up a re-bind pays, and one cycle.</summary>
[MemoryDiagnoser]
public class MultigridBenchmarks
{
    [Params("baffles", "tank", "rocks")]
    public string Family { get; set; } = "baffles";

    PoissonGrid _grid = null!;
    ReducedSystem _unknowns = null!;
    AggregateMultigrid _cycle = null!;
    double[] _r = [], _z = [];

    [GlobalSetup]
    public void Build()
    {
        _grid = PoissonDomains.Named(Family, 64, 64, 64, 1);
        _unknowns = ReducedSystem.FromGrid(_grid);
        _cycle = new AggregateMultigrid(_grid, _unknowns);
        var rng = new Random(2);
        _r = [.. Enumerable.Range(0, _unknowns.Unknowns).Select(_ => rng.NextDouble() - 0.5)];
        _z = new double[_r.Length];
    }

    [Benchmark] public ReducedSystem Unknowns() => ReducedSystem.FromGrid(_grid);

    [Benchmark] public AggregateMultigrid Hierarchy() => new(_grid, _unknowns);

    [Benchmark] public void Cycle() => _cycle.Apply(_r, _z);
}
