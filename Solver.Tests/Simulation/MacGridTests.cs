using Dcdm.Simulation;

namespace Dcdm.Tests.Simulation;

/// <summary>The MAC grid's pieces against what they must equal: the solver's operator, exact transport of linear fields.</summary>
public class MacGridTests
{
    static MacVelocity RandomVelocity(int nx, int ny, int nz, int seed)
    {
        var rng = new Random(seed);
        var u = new MacVelocity(nx, ny, nz);
        foreach (var f in u.Components) for (int i = 0; i < f.Values.Length; i++) f.Values[i] = rng.NextDouble() - 0.5;
        return u;
    }

    [Test]
    public void SubtractingAPressureGradientChangesMinusTheDivergenceByTheGridsOperator()
    {
        // b = -div u; after u -= grad p every fluid cell's -div is b - A p, with A the solver's 7-point operator
        var grid = PoissonDomains.RandomObstacles(9, 8, 7, 0.2, seed: 5);
        var cells = grid.Cells.ToArray();
        cells[grid.Index(4, 4, 3)] = CellType.Air; // an air cell inside the domain too, not only the top layer
        grid = new PoissonGrid(9, 8, 7, cells);
        var u = RandomVelocity(9, 8, 7, seed: 6);
        u.ZeroWallFaces(grid);
        var rng = new Random(7);
        var p = new double[grid.CellCount];
        for (int c = 0; c < p.Length; c++) p[c] = grid.Cells[c] == CellType.Fluid ? rng.NextDouble() - 0.5 : 0;
        AssertProjectionStep(p, b => u.NegativeDivergence(grid, b), () => u.SubtractPressureGradient(grid, p), (x, y) => grid.Apply(x, y));
    }

    /// <summary>After u -= grad p, every cell's -div u is its b - A p (b and A p are 0 off the unknowns).</summary>
    static void AssertProjectionStep(double[] p, Action<double[]> negativeDivergence, Action subtractGradient, Action<double[], double[]> multiply)
    {
        double[] before = new double[p.Length], after = new double[p.Length], ap = new double[p.Length];
        negativeDivergence(before);
        subtractGradient();
        negativeDivergence(after);
        multiply(p, ap);
        for (int c = 0; c < p.Length; c++) Assert.That(after[c], Is.EqualTo(before[c] - ap[c]).Within(1e-12), $"cell {c}");
    }

    [Test]
    public void CutCellsProjectionChangesTheWeightedDivergenceByTheirOperatorAndClosesSolidFaces()
    {
        // b = -D^T F u; after u -= grad p on the open faces, every unknown's -D^T F u is b - A p with A the fractions' operator
        int n = 10;
        var fractions = new FaceFractions(n, (x, y, z) => Math.Sqrt((x - 5) * (x - 5) + (y - 4.6) * (y - 4.6) + (z - 4.3) * (z - 4.3)) - 2.2);
        Assert.That(fractions.Components[0].Values.Count(f => f > 0 && f < 1), Is.GreaterThan(10), "fractional faces around the sphere");
        var u = RandomVelocity(n, n, n, seed: 8);
        var rng = new Random(9);
        var op = fractions.Operator;
        var p = new double[op.CellCount];
        for (int c = 0; c < p.Length; c++) p[c] = op.Diagonal(c) > 0 ? rng.NextDouble() - 0.5 : 0;
        AssertProjectionStep(p, b => fractions.NegativeDivergence(u, b), () => fractions.SubtractPressureGradient(u, p), (x, y) => op.ToCsr().Multiply(x, y));
        for (int axis = 0; axis < 3; axis++)
            for (int f = 0; f < u.Components[axis].Values.Length; f++)
                if (fractions.Components[axis].Values[f] == 0) Assert.That(u.Components[axis].Values[f], Is.Zero, $"closed face {f} of axis {axis}");
    }

    [Test]
    public void ZeroWallFacesLeavesNoFlowThroughTheBoundaryOrASolid()
    {
        var grid = PoissonDomains.Spheres(8, 8, 8, 2, seed: 1);
        var u = RandomVelocity(8, 8, 8, seed: 2);
        u.ZeroWallFaces(grid);
        Assert.That(Enumerable.Range(0, 8 * 8).All(jk => u.U.Values[u.U.Index(0, jk % 8, jk / 8)] == 0 && u.U.Values[u.U.Index(8, jk % 8, jk / 8)] == 0));
        for (int k = 0; k < 8; k++)
            for (int j = 0; j < 8; j++)
                for (int i = 1; i < 8; i++)
                {
                    bool wall = grid[i - 1, j, k] == CellType.Solid || grid[i, j, k] == CellType.Solid;
                    Assert.That(u.U[i, j, k] == 0, Is.EqualTo(wall), $"x-face ({i}, {j}, {k})");
                }
    }

    [Test]
    public void AUniformFlowCarriesALinearFieldExactly()
    {
        // trilinear interpolation reproduces a linear field, and a uniform flow's departure point is exact
        var u = new MacVelocity(10, 10, 10);
        Array.Fill(u.U.Values, 3.0); Array.Fill(u.V.Values, -2.0); Array.Fill(u.W.Values, 1.0);
        var f = GridField.CellCentred(10, 10, 10);
        for (int k = 0; k < 10; k++) for (int j = 0; j < 10; j++) for (int i = 0; i < 10; i++) f[i, j, k] = 2 * (i + 0.5) - (j + 0.5) + 0.5 * (k + 0.5);
        var g = f.SameLattice();
        double dt = 0.25; // moves (0.75, -0.5, 0.25) cells: departure points stay inside for the cells checked
        SemiLagrangian.Advect(f, g, u, dt);
        for (int k = 1; k < 9; k++)
            for (int j = 1; j < 9; j++)
                for (int i = 1; i < 9; i++)
                    Assert.That(g[i, j, k], Is.EqualTo(f[i, j, k] - dt * (2 * 3.0 - 1 * -2.0 + 0.5 * 1.0)).Within(1e-12), $"cell ({i}, {j}, {k})");
        Assert.That(SemiLagrangian.ArrivalPoint(u, 5, 5, 5, dt), Is.EqualTo((5.75, 4.5, 5.25)));
    }

    [Test]
    public void ExtrapolationFillsTheAirNextToTheLiquidAndKeepsTheLiquidsFaces()
    {
        var cells = new CellType[8 * 8 * 8];
        Array.Fill(cells, CellType.Air);
        for (int k = 0; k < 3; k++) for (int j = 0; j < 8; j++) for (int i = 0; i < 8; i++) cells[i + 8 * (j + 8 * k)] = CellType.Fluid;
        var grid = new PoissonGrid(8, 8, 8, cells);
        var u = new MacVelocity(8, 8, 8);
        for (int k = 0; k < 8; k++) for (int j = 0; j < 8; j++) for (int i = 0; i < 9; i++) u.U[i, j, k] = k < 4 ? 7.0 : -100; // stale air values above
        u.Extrapolate(grid, layers: 2);
        for (int j = 0; j < 8; j++)
            for (int i = 0; i < 9; i++)
            {
                for (int k = 0; k < 5; k++) Assert.That(u.U[i, j, k], Is.EqualTo(7.0), $"x-face ({i}, {j}, {k}): fluid or within two layers");
                Assert.That(u.U[i, j, 6], Is.EqualTo(-100), "beyond the layers: untouched");
            }
    }
}
