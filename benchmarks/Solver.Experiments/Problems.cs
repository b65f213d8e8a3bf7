using Dcdm.Poisson;

namespace Dcdm.Experiments;

/// <summary>The experiments' systems: a generated family (seed 7) and the divergence of a random velocity field.</summary>
public static class Problems
{
    public static (PoissonGrid Grid, double[] B) Of(string family, int n)
    {
        var grid = PoissonDomains.Named(family, n, n, n, seed: 7);
        return (grid, RightHandSides.VelocityDivergence(grid, 7));
    }
}
