using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Simulation;

/// <summary>
/// A dam break in a closed 1 m box on an n^3 MAC grid, marker-and-cell style (Harlow and Welch 1965; Bridson's
/// book, ch. 4): eight marker particles per cell start in a water column (x &lt; 0.4, z &lt; 0.6, every y); each
/// step a cell holding a particle is fluid, every other cell air (p = 0), so the pressure system changes every
/// step and the solver is re-bound (<see cref="PressureSolver.Bind(Poisson.PoissonGrid)"/>). Gravity pulls along -z.
/// </summary>
public sealed class LiquidSimulation : IFlowSimulation
{
    public const double Gravity = 9.81;
    /// <summary>Largest dt, s; the CFL condition (one cell per step, with the speed gravity adds) limits it further.</summary>
    public const double MaxTimeStep = 1.0 / 60;
    /// <summary>Layers of faces the velocity is extended into the air: advection and particles read that far.</summary>
    const int ExtrapolationLayers = 3;

    readonly int _n;
    readonly double[] _px, _py, _pz; // particle positions, cell units
    MacVelocity _velocity, _velocityNext;

    public string Name => "liquid";
    public int StepCount { get; private set; }
    public PoissonGrid Domain { get; private set; }
    public PressureProjection Projection { get; }
    public string ShownQuantity => "speed (cells/s)";
    public MacVelocity Velocity => _velocity;
    public int ParticleCount => _px.Length;

    /// <param name="n">Cells per side (at least 8).</param>
    /// <param name="seed">Jitter of the particles inside their cells.</param>
    public LiquidSimulation(int n, PressureSolver solver, int seed = 1)
    {
        if (n < 8) throw new ArgumentOutOfRangeException(nameof(n), $"the dam break needs at least 8 cells per side, got {n}");
        _n = n;
        _velocity = new MacVelocity(n, n, n); _velocityNext = new MacVelocity(n, n, n);
        // 2 x 2 x 2 particles per cell of the column, jittered by up to a quarter cell
        int wx = (int)Math.Round(0.4 * n), hz = (int)Math.Round(0.6 * n), count = 8 * wx * n * hz;
        _px = new double[count]; _py = new double[count]; _pz = new double[count];
        var rng = new Random(seed);
        int p = 0;
        for (int k = 0; k < hz; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < wx; i++)
                    for (int s = 0; s < 8; s++, p++)
                    {
                        _px[p] = i + 0.25 + 0.5 * (s & 1) + 0.5 * (rng.NextDouble() - 0.5);
                        _py[p] = j + 0.25 + 0.5 * (s >> 1 & 1) + 0.5 * (rng.NextDouble() - 0.5);
                        _pz[p] = k + 0.25 + 0.5 * (s >> 2) + 0.5 * (rng.NextDouble() - 0.5);
                    }
        Domain = MarkCells();
        Projection = new PressureProjection(solver, Domain.CellCount);
    }

    /// <summary>Fluid where a particle is, air elsewhere (the box's walls are the grid boundary).</summary>
    PoissonGrid MarkCells()
    {
        var cells = new CellType[_n * _n * _n];
        Array.Fill(cells, CellType.Air);
        for (int p = 0; p < _px.Length; p++)
            cells[Cell(_px[p]) + _n * (Cell(_py[p]) + _n * Cell(_pz[p]))] = CellType.Fluid;
        return new PoissonGrid(_n, _n, _n, cells);
    }

    int Cell(double s) => Math.Clamp((int)s, 0, _n - 1);

    public SimulationStep Step(CancellationToken cancellation = default)
    {
        // 1. this step's domain from the particles
        Domain = MarkCells();
        // dt: one cell per step at most, counting the speed gravity can add in a cell (velocities in cells per second)
        double g = Gravity * _n;
        double dt = Math.Min(MaxTimeStep, 1 / (_velocity.MaxSpeed() + Math.Sqrt(g)));
        // 2. extend the velocity into the air next to the liquid, then advect it semi-Lagrangian
        _velocity.Extrapolate(Domain, ExtrapolationLayers);
        for (int a = 0; a < 3; a++) SemiLagrangian.Advect(_velocity.Components[a], _velocityNext.Components[a], _velocity, dt);
        (_velocity, _velocityNext) = (_velocityNext, _velocity);
        // 3. gravity
        var w = _velocity.W.Values;
        for (int f = 0; f < w.Length; f++) w[f] -= dt * g;
        // 4. no flow through the box's walls
        _velocity.ZeroWallFaces(Domain);
        // 5. the pressure projection on this step's domain (the solver re-binds to it)
        var report = Projection.Project(StepCount++, dt, Domain, _velocity, cancellation);
        // 6. move the particles through the new velocity, extended into the air, and keep them in the box
        _velocity.Extrapolate(Domain, ExtrapolationLayers);
        _velocity.ZeroWallFaces(Domain);
        double lo = 1e-3, hi = _n - 1e-3;
        Parallel.For(0, _px.Length, p =>
        {
            var (x, y, z) = SemiLagrangian.ArrivalPoint(_velocity, _px[p], _py[p], _pz[p], dt);
            _px[p] = Math.Clamp(x, lo, hi); _py[p] = Math.Clamp(y, lo, hi); _pz[p] = Math.Clamp(z, lo, hi);
        });
        return report;
    }

    /// <summary>|u| at the centre of every fluid cell (mean of its faces), 0 in air.</summary>
    public double[] ShownField()
    {
        var speed = new double[Domain.CellCount];
        var cells = Domain.Cells;
        for (int k = 0; k < _n; k++)
            for (int j = 0; j < _n; j++)
                for (int i = 0; i < _n; i++)
                {
                    int c = Domain.Index(i, j, k);
                    if (cells[c] != CellType.Fluid) continue;
                    var (u, v, w) = _velocity.At(i + 0.5, j + 0.5, k + 0.5);
                    speed[c] = Math.Sqrt(u * u + v * v + w * w);
                }
        return speed;
    }
}
