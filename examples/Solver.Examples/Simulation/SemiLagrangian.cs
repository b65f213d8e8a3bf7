namespace Dcdm.Simulation;

/// <summary>
/// Semi-Lagrangian advection (Stam 1999): each sample takes the value found where the flow carried it from, traced
/// back over dt with a midpoint (second-order Runge-Kutta) step and read by trilinear interpolation. Stable for any dt.
/// </summary>
public static class SemiLagrangian
{
    /// <summary>target = source at the departure points of target's samples under velocity (source and target share a lattice).</summary>
    public static void Advect(GridField source, GridField target, MacVelocity velocity, double dt)
    {
        if (source.Values.Length != target.Values.Length || source.Ox != target.Ox || source.Oy != target.Oy || source.Oz != target.Oz)
            throw new ArgumentException("advection reads and writes one lattice: source and target differ");
        Parallel.For(0, target.Nz, k =>
        {
            for (int j = 0; j < target.Ny; j++)
                for (int i = 0; i < target.Nx; i++)
                {
                    var (x, y, z) = DeparturePoint(velocity, i + target.Ox, j + target.Oy, k + target.Oz, dt);
                    target[i, j, k] = source.Sample(x, y, z);
                }
        });
    }

    /// <summary>Where a point at (x, y, z) now was dt ago: x - dt u(x - dt/2 u(x)).</summary>
    public static (double x, double y, double z) DeparturePoint(MacVelocity velocity, double x, double y, double z, double dt)
    {
        var (u, v, w) = velocity.At(x, y, z);
        (u, v, w) = velocity.At(x - 0.5 * dt * u, y - 0.5 * dt * v, z - 0.5 * dt * w);
        return (x - dt * u, y - dt * v, z - dt * w);
    }

    /// <summary>Where a point at (x, y, z) will be after dt: x + dt u(x + dt/2 u(x)) (marker particles).</summary>
    public static (double x, double y, double z) ArrivalPoint(MacVelocity velocity, double x, double y, double z, double dt) =>
        DeparturePoint(velocity, x, y, z, -dt);
}
