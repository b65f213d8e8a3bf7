using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

public class MultigridTests
{
    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(11, 9, 10, 0.6, 2)).SetArgDisplayNames("tank, odd sizes");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(12, 12, 12, 0.2, 3)).SetArgDisplayNames("obstacles");
        yield return new TestCaseData(PoissonDomains.ClosedBox(8, 6, 7)).SetArgDisplayNames("closed box (singular)");
        yield return new TestCaseData(PoissonDomains.Spheres(16, 16, 16, 3, 1)).SetArgDisplayNames("spheres");
    }

    static double Dot(double[] a, double[] b) => a.Zip(b, (u, v) => u * v).Sum();

    [TestCaseSource(nameof(Grids))]
    public void TheCycleIsSymmetricAndPositive(PoissonGrid grid)
    {
        var unknowns = ReducedSystem.FromGrid(grid);
        var m = new MultigridPreconditioner(grid, unknowns);
        Assert.That(m.LevelCount, Is.GreaterThan(1));
        int n = unknowns.Unknowns;
        for (int seed = 0; seed < 3; seed++)
        {
            double[] x = RandomVector.Centred(n, seed), y = RandomVector.Centred(n, seed + 10), mx = new double[n], my = new double[n];
            m.Apply(x, mx);
            m.Apply(y, my);
            double xMy = Dot(x, my), yMx = Dot(y, mx);
            Assert.That(Math.Abs(xMy - yMx), Is.LessThanOrEqualTo(1e-10 * Math.Sqrt(Dot(x, mx) * Dot(y, my))), $"x.My {xMy}, y.Mx {yMx}");
            Assert.That(Dot(x, mx), Is.GreaterThan(0));
        }
        // a cycle gives the same answer twice (no state carried over) and allocates no vector
        double[] r = RandomVector.Centred(n, 5), z1 = new double[n], z2 = new double[n];
        m.Apply(r, z1);
        Assert.That(AllocatedBytes.Fewest(() => m.Apply(r, z2)), Is.LessThan(32 * 1024), "the loops' closures only, whatever the size");
        Assert.That(z2, Is.EqualTo(z1));
    }

    /// <summary>The coarse operators, prolongation and restriction on a small grid: R equals P^T / 8 entry for entry.</summary>
    [Test]
    public void RestrictionIsTheTransposeOfProlongationOverEight()
    {
        var fineGrid = PoissonDomains.RandomObstacles(7, 6, 5, 0.2, 4);
        var fine = new MultigridLevel(fineGrid, 1);
        var coarse = new MultigridLevel(GeometricGrids.Coarsen(fineGrid), 0.25);
        var p = new double[fine.Cells, coarse.Cells];
        for (int j = 0; j < coarse.Cells; j++)
        {
            if (coarse.Diagonal[j] == 0) continue;
            Array.Clear(fine.X);
            Array.Clear(coarse.X);
            coarse.X[j] = 1;
            LevelOps.ProlongAdd(coarse, fine);
            for (int i = 0; i < fine.Cells; i++) p[i, j] = fine.X[i];
        }
        for (int i = 0; i < fine.Cells; i++)
        {
            if (fine.Diagonal[i] == 0) continue; // Restrict's input is 0 off the fine unknowns (the residual's), and P's rows there are 0
            Array.Clear(fine.Work);
            fine.Work[i] = 1;
            LevelOps.Restrict(fine, coarse);
            for (int j = 0; j < coarse.Cells; j++)
                Assert.That(coarse.B[j], Is.EqualTo(p[i, j] / 8).Within(1e-15), $"fine {i}, coarse {j}");
        }
        // each entry of P against the trilinear formula: per direction 3/4 from the coarse cell holding the fine one,
        // 1/4 from the coarse cell on the fine cell's side (fine index even: the one before, odd: the one after)
        static double Weight(int f, int c) => c == f / 2 ? 0.75 : c == ((f & 1) == 0 ? f / 2 - 1 : f / 2 + 1) ? 0.25 : 0;
        for (int i = 0; i < fine.Cells; i++)
        {
            if (fine.Diagonal[i] == 0) continue;
            int fx = i % fine.Nx, fy = i / fine.Nx % fine.Ny, fz = i / (fine.Nx * fine.Ny);
            for (int j = 0; j < coarse.Cells; j++)
            {
                int cx = j % coarse.Nx, cy = j / coarse.Nx % coarse.Ny, cz = j / (coarse.Nx * coarse.Ny);
                double expected = coarse.Diagonal[j] == 0 ? 0 : Weight(fx, cx) * Weight(fy, cy) * Weight(fz, cz);
                Assert.That(p[i, j], Is.EqualTo(expected).Within(1e-15), $"P[{i}, {j}]");
            }
        }
        // prolongation from a constant is 1 away from the edges of the coarse unknowns (trilinear weights sum to 1)
        Assert.That(Enumerable.Range(0, fine.Cells).Where(i => fine.Diagonal[i] > 0).Max(i => Enumerable.Range(0, coarse.Cells).Sum(j => p[i, j])), Is.EqualTo(1).Within(1e-12));
    }

    [Test]
    public void RedBlackGaussSeidelAndTheResidualMatchTheirFormulas()
    {
        var grid = PoissonDomains.Spheres(9, 8, 7, 2, 3);
        var level = new MultigridLevel(grid, 0.25);
        var rng = new Random(1);
        for (int i = 0; i < level.Cells; i++) if (level.Diagonal[i] > 0) { level.B[i] = rng.NextDouble(); level.X[i] = rng.NextDouble(); }
        var x = (double[])level.X.Clone();
        var ax = new double[level.Cells];
        grid.Apply(x, ax); // the 7-point operator written independently (PoissonGrid)
        LevelOps.Residual(level);
        for (int i = 0; i < level.Cells; i++)
            Assert.That(level.Work[i], Is.EqualTo(level.Diagonal[i] == 0 ? 0 : level.B[i] - 0.25 * ax[i]).Within(1e-12));

        LevelOps.GaussSeidelColour(level, 0);
        for (int z = 0; z < grid.Nz; z++) for (int y = 0; y < grid.Ny; y++) for (int i = 0; i < grid.Nx; i++)
        {
            int c = grid.Index(i, y, z);
            if (level.Diagonal[c] == 0 || (i + y + z) % 2 != 0) { Assert.That(level.X[c], Is.EqualTo(x[c])); continue; }
            // red cell: its row of A x = b holds exactly after the update (neighbours are black, unchanged)
            double offDiagonal = level.Diagonal[c] * x[c] - ax[c];
            Assert.That(0.25 * (level.Diagonal[c] * level.X[c] - offDiagonal), Is.EqualTo(level.B[c]).Within(1e-12));
        }
    }

    [TestCase("tank")]
    [TestCase("obstacles")]
    [TestCase("spheres")]
    [TestCase("smoke")]
    [TestCase("box")]
    public void PcgMgNeedsFewIterationsOnEveryDomainKind(string kind)
    {
        const int n = 32;
        var grid = kind switch
        {
            "tank" => PoissonDomains.FreeSurfaceTank(n, n, n, 0.6, 1),
            "obstacles" => PoissonDomains.RandomObstacles(n, n, n, 0.15, 1),
            "spheres" => PoissonDomains.Spheres(n, n, n, 6, 1),
            "smoke" => PoissonDomains.SmokeBox(n, n, n),
            _ => PoissonDomains.ClosedBox(n, n, n),
        };
        var input = new SolverInput(grid.ToCsr(GridMatrixLayout.Compact), grid);
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        var solver = new SolverCatalog().Create(SolveMethod.PcgMg, input, new SolverOptions { Tolerance = 1e-6 });
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.LessThanOrEqualTo(14), "measured 9 to 12 at 32^3");
        Assert.That(result.Method, Is.EqualTo("pcg-mg"));
        // the true residual, from the file-layout matrix (the closed box: b's mean removed, as the solver reports)
        var ax = new double[b.Length];
        input.Matrix.Multiply(x, ax);
        double mean = kind == "box" ? b.Average() : 0;
        double rr = b.Zip(ax, (u, v) => (u - mean - v) * (u - mean - v)).Sum(), bb = b.Sum(u => (u - mean) * (u - mean));
        Assert.That(Math.Sqrt(rr / bb), Is.LessThanOrEqualTo(1.01e-6));
    }
}
