using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Simulation;

/// <summary>
/// Hot smoke rising around a solid sphere in a 1 m box, on an n^3 MAC grid (Fedkiw, Stam and Jensen 2001, without
/// vorticity confinement): walls on the sides and bottom, an air layer on top (p = 0: an open top, so the pressure
/// system is non-singular), a source of hot smoke near the floor. Density and temperature are cell-centred, the
/// velocity staggered; every step advects all of them semi-Lagrangian, adds buoyancy and projects. z is up.
/// The domain never changes, so the solver is set up once. With cut cells the sphere is smooth: its faces are open in
/// part (<see cref="FaceFractions"/>), and the pressure system has those fractions as per-face coefficients.
/// </summary>
public sealed class SmokeSimulation : IFlowSimulation
{
    /// <summary>Upward acceleration per unit temperature, m/s^2.</summary>
    public const double Buoyancy = 10.0;
    /// <summary>Downward acceleration per unit density (the smoke's weight), m/s^2.</summary>
    public const double Weight = 2.0;
    /// <summary>Largest dt, s; the CFL number (cells a sample may travel in one step) limits it further.</summary>
    public const double MaxTimeStep = 1.0 / 30, Cfl = 2.0;

    readonly int _n;
    readonly bool[] _source;
    readonly FaceFractions? _fractions; // cut cells; null: the voxel sphere
    GridField _density, _temperature, _densityNext, _temperatureNext;
    MacVelocity _velocity, _velocityNext;

    public string Name => _fractions is null ? "smoke" : "cut-cell";
    public int StepCount { get; private set; }
    public PoissonGrid Domain { get; }
    public PressureProjection Projection { get; }
    public string ShownQuantity => "smoke density";
    public MacVelocity Velocity => _velocity;
    public GridField Density => _density;

    /// <param name="n">Cells per side (at least 8).</param>
    /// <param name="solver">The pressure solver; bound here to the domain (its set-up happens in the first step).</param>
    /// <param name="cutCells">A smooth sphere with fractional faces (a variational projection) instead of a voxel one.</param>
    public SmokeSimulation(int n, PressureSolver solver, bool cutCells = false)
    {
        if (n < 8) throw new ArgumentOutOfRangeException(nameof(n), $"smoke needs at least 8 cells per side, got {n}");
        _n = n;
        double sphere = 0.15 * n, middle = 0.5 * n; // as SphereInOpenBox's
        _fractions = cutCells ? new FaceFractions(n, (x, y, z) => Math.Sqrt((x - middle) * (x - middle) + (y - middle) * (y - middle) + (z - middle) * (z - middle)) - sphere) : null;
        Domain = _fractions?.Domain ?? SphereInOpenBox(n);
        Projection = new PressureProjection(solver, Domain.CellCount);
        _density = GridField.CellCentred(n, n, n); _densityNext = _density.SameLattice();
        _temperature = GridField.CellCentred(n, n, n); _temperatureNext = _temperature.SameLattice();
        _velocity = new MacVelocity(n, n, n); _velocityNext = new MacVelocity(n, n, n);
        // the source: a disc of radius 0.12 n on the floor's first cells, under the sphere
        _source = new bool[Domain.CellCount];
        double radius = 0.12 * n, c = 0.5 * n;
        int height = Math.Max(2, n / 16);
        for (int k = 1; k <= height; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                    _source[Domain.Index(i, j, k)] = (i + 0.5 - c) * (i + 0.5 - c) + (j + 0.5 - c) * (j + 0.5 - c) <= radius * radius;
    }

    /// <summary>The smoke domain: fluid, a solid sphere (radius 0.15 n) at the centre, the top layer air.</summary>
    public static PoissonGrid SphereInOpenBox(int n)
    {
        var cells = new CellType[n * n * n];
        double r = 0.15 * n, c = 0.5 * n;
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    double dx = i + 0.5 - c, dy = j + 0.5 - c, dz = k + 0.5 - c;
                    cells[i + n * (j + n * k)] = k == n - 1 ? CellType.Air : dx * dx + dy * dy + dz * dz <= r * r ? CellType.Solid : CellType.Fluid;
                }
        return new PoissonGrid(n, n, n, cells);
    }

    public SimulationStep Step(CancellationToken cancellation = default)
    {
        // dt: at most Cfl cells travelled per step (velocities are in cells per second)
        double dt = Math.Min(MaxTimeStep, Cfl / Math.Max(_velocity.MaxSpeed(), 1e-12));
        // 1. the source keeps emitting hot smoke
        for (int c = 0; c < _source.Length; c++)
            if (_source[c]) { _density.Values[c] = 1; _temperature.Values[c] = 1; }
        // 2. advect density, temperature and the velocity itself through the velocity at the start of the step
        SemiLagrangian.Advect(_density, _densityNext, _velocity, dt);
        SemiLagrangian.Advect(_temperature, _temperatureNext, _velocity, dt);
        for (int a = 0; a < 3; a++) SemiLagrangian.Advect(_velocity.Components[a], _velocityNext.Components[a], _velocity, dt);
        (_density, _densityNext) = (_densityNext, _density);
        (_temperature, _temperatureNext) = (_temperatureNext, _temperature);
        (_velocity, _velocityNext) = (_velocityNext, _velocity);
        // 3. buoyancy on the z-faces: hot smoke rises, dense smoke sinks (cells per second^2: times n cells per metre)
        var w = _velocity.W;
        for (int k = 1; k < _n; k++)
            for (int j = 0; j < _n; j++)
                for (int i = 0; i < _n; i++)
                {
                    double t = 0.5 * (_temperature[i, j, k - 1] + _temperature[i, j, k]), d = 0.5 * (_density[i, j, k - 1] + _density[i, j, k]);
                    w[i, j, k] += dt * _n * (Buoyancy * t - Weight * d);
                }
        // 4. no flow through the walls and the sphere; 5. the pressure projection: div u = 0 in the fluid
        if (_fractions is not null) return Projection.Project(StepCount++, dt, _fractions, _velocity, cancellation); // the projection closes solid faces
        _velocity.ZeroWallFaces(Domain);
        return Projection.Project(StepCount++, dt, Domain, _velocity, cancellation);
    }

    public double[] ShownField() => (double[])_density.Values.Clone();
}
