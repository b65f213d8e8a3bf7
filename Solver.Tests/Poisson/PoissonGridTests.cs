using Dcdm.Sparse;

namespace Dcdm.Tests.Poisson;

public class PoissonGridTests
{
    static IEnumerable<TestCaseData> Domains()
    {
        yield return new TestCaseData(PoissonDomains.ClosedBox(5, 4, 3)).SetName("closed box");
        yield return new TestCaseData(PoissonDomains.SmokeBox(6, 6, 6)).SetName("smoke box");
        yield return new TestCaseData(PoissonDomains.Spheres(12, 12, 12, 4, seed: 3)).SetName("spheres");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(12, 10, 8, 0.2, seed: 4)).SetName("random obstacles");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(10, 12, 14, 0.6, seed: 5)).SetName("free-surface tank");
    }

    [TestCaseSource(nameof(Domains))]
    public void CsrLayoutsMatchTheMatrixFreeOperator(PoissonGrid grid)
    {
        var rng = new Random(9);
        var x = Enumerable.Range(0, grid.CellCount).Select(_ => rng.NextDouble()).ToArray();
        var y = new double[grid.CellCount];
        grid.Apply(x, y);

        var full = grid.ToCsr(GridMatrixLayout.FullGrid);
        var yFull = new double[grid.CellCount];
        var xFluid = grid.ToGrid(grid.ToCompact(x)); // the operator ignores x off fluid cells
        full.Multiply(xFluid, yFull);
        Assert.That(yFull, Is.EqualTo(y).Within(1e-12));

        var compact = grid.ToCsr(GridMatrixLayout.Compact);
        var yCompact = new double[grid.FluidCount];
        compact.Multiply(grid.ToCompact(x), yCompact);
        Assert.That(grid.ToGrid(yCompact), Is.EqualTo(y).Within(1e-12));

        Assert.That(full.CheckSymmetry().IsSymmetric, Is.True);
        Assert.That(compact.CheckSymmetry().IsSymmetric, Is.True);
        for (int c = 0; c < grid.CellCount; c++)
            if (grid.Cells[c] != CellType.Fluid) Assert.That(full.RowHasNonZero(c), Is.False, "non-fluid rows are zero");
    }

    [Test]
    public void DiagonalCountsNonSolidNeighboursAndAirIsDirichlet()
    {
        // 3x1x2: bottom row fluid, top row: air, solid, air
        var cells = new[] { CellType.Fluid, CellType.Fluid, CellType.Fluid, CellType.Air, CellType.Solid, CellType.Air };
        var grid = new PoissonGrid(3, 1, 2, cells);
        var a = grid.ToCsr(GridMatrixLayout.Compact);
        Assert.That(a.Diagonal(), Is.EqualTo(new[] { 2.0, 2.0, 2.0 }));
        Assert.That(a[0, 1], Is.EqualTo(-1.0));
        Assert.That(a[0, 2], Is.EqualTo(0.0));
        Assert.That(a.NonZeros, Is.EqualTo(7));
    }

    [Test]
    public void GeneratorsAreDeterministicPerSeed()
    {
        Assert.That(PoissonDomains.Spheres(16, 16, 16, 5, 1).Cells.ToArray(), Is.EqualTo(PoissonDomains.Spheres(16, 16, 16, 5, 1).Cells.ToArray()));
        Assert.That(PoissonDomains.Spheres(16, 16, 16, 5, 1).Cells.ToArray(), Is.Not.EqualTo(PoissonDomains.Spheres(16, 16, 16, 5, 2).Cells.ToArray()));
        var grid = PoissonDomains.SmokeBox(8, 8, 8);
        Assert.That(RightHandSides.Random(grid, 3), Is.EqualTo(RightHandSides.Random(grid, 3)));
    }

    [Test]
    public void GeneratedDomainsHaveTheAdvertisedShape()
    {
        var obstacles = PoissonDomains.RandomObstacles(20, 20, 20, 0.15, 2);
        int solid = obstacles.Cells.ToArray().Count(c => c == CellType.Solid);
        Assert.That(solid / 8000.0, Is.InRange(0.13, 0.17));
        Assert.That(PoissonDomains.ClosedBox(4, 4, 4).HasAir, Is.False);
        Assert.That(PoissonDomains.SmokeBox(4, 4, 4)[1, 1, 3], Is.EqualTo(CellType.Air));
        var tank = PoissonDomains.FreeSurfaceTank(16, 16, 16, 0.5, 1);
        Assert.That(tank[3, 3, 0], Is.EqualTo(CellType.Fluid));
        Assert.That(tank[3, 3, 15], Is.EqualTo(CellType.Air));
    }

    /// <summary>Tunnels: about 6% of the block fluid, every cell of it joined to the air on top through fluid faces (each walk
    /// starts under it), narrow (few 2x2x2 blocks it touches are full), and the same cells for the same seed.</summary>
    [Test]
    public void TunnelsArePassagesOneCellAcrossThatDrainToTheAir()
    {
        int n = 24;
        var grid = PoissonDomains.Named("tunnels", n, n, n, 3);
        Assert.That(grid.Cells.ToArray(), Is.EqualTo(PoissonDomains.Tunnels(n, n, n, 0.1, 3).Cells.ToArray()));
        Assert.That(grid.Cells.ToArray(), Is.Not.EqualTo(PoissonDomains.Tunnels(n, n, n, 0.1, 4).Cells.ToArray()));
        var cells = grid.Cells.ToArray();
        int fluid = cells.Count(c => c == CellType.Fluid);
        Assert.That(fluid / (double)(n * n * (n - 1)), Is.InRange(0.04, 0.09), "a share of the block below the air");
        int Index(int x, int y, int z) => x + n * (y + n * z);
        var reached = new bool[cells.Length];
        var queue = new Queue<int>();
        for (int i = n * n * (n - 1); i < cells.Length; i++) { Assert.That(cells[i], Is.EqualTo(CellType.Air)); reached[i] = true; queue.Enqueue(i); }
        while (queue.Count > 0)
        {
            int i = queue.Dequeue(), x = i % n, y = i / n % n, z = i / (n * n);
            foreach (var (dx, dy, dz) in new[] { (1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1) })
            {
                var (u, v, w) = (x + dx, y + dy, z + dz);
                if (u < 0 || v < 0 || w < 0 || u >= n || v >= n || w >= n || cells[Index(u, v, w)] != CellType.Fluid || reached[Index(u, v, w)]) continue;
                reached[Index(u, v, w)] = true;
                queue.Enqueue(Index(u, v, w));
            }
        }
        Assert.That(Enumerable.Range(0, cells.Length).Where(i => cells[i] == CellType.Fluid).All(i => reached[i]), Is.True, "every passage drains to the air");
        int touched = 0, full = 0;
        for (int z = 0; z < n - 2; z += 2)
            for (int y = 0; y < n; y += 2)
                for (int x = 0; x < n; x += 2)
                {
                    int f = Enumerable.Range(0, 8).Count(s => cells[Index(x + (s & 1), y + (s >> 1 & 1), z + (s >> 2))] == CellType.Fluid);
                    if (f > 0) touched++;
                    if (f == 8) full++;
                }
        Assert.That(full / (double)touched, Is.LessThan(0.05), "passages, not rooms");
    }

    [Test]
    public void VelocityDivergenceIsCompatibleWithClosedDomains()
    {
        var grid = PoissonDomains.ClosedBox(7, 6, 5);
        var b = RightHandSides.VelocityDivergence(grid, 11);
        Assert.That(b.Sum(), Is.EqualTo(0).Within(1e-10));
        Assert.That(VectorOps.Norm2(b), Is.GreaterThan(1));
        var smoke = PoissonDomains.SmokeBox(6, 6, 6);
        var d = RightHandSides.VelocityDivergence(smoke, 1);
        for (int i = 0; i < d.Length; i++) if (smoke.Cells[i] != CellType.Fluid) Assert.That(d[i], Is.Zero);
    }

    [Test]
    public void FlagsFileRoundTripsAndRejectsBadHeaders()
    {
        var grid = PoissonDomains.FreeSurfaceTank(5, 6, 7, 0.5, 3);
        string path = Path.Combine(TestData.TempFolder(), "flags.bin");
        CellFlagsFile.Write(grid, path);
        var back = CellFlagsFile.Read(path);
        Assert.That((back.Nx, back.Ny, back.Nz), Is.EqualTo((5, 6, 7)));
        Assert.That(back.Cells.ToArray(), Is.EqualTo(grid.Cells.ToArray()));
        File.WriteAllText(path, "flags 1 2 3\n");
        Assert.That(Assert.Throws<InvalidDataException>(() => CellFlagsFile.Read(path))!.Message, Does.Contain(path + ":1"));
    }

    /// <summary>The fluid cells, the unknowns (fluid with an open neighbour) and the surface (fluid with an air neighbour), made in parallel, against plain loops.</summary>
    [TestCase(0.45, 0.02, 80, 64, 60)] // several chunks, isolated fluid cells
    [TestCase(0.0, 0.0, 70, 60, 50)]   // every cell fluid
    [TestCase(0.3, 0.1, 9, 8, 7)]     // rows too short for a vector
    [TestCase(0.3, 0.25, 37, 20, 19)] // vectors of 16 and a tail in every row, air on many faces
    public void FluidUnknownAndSurfaceCellsEqualPlainLoops(double solid, double air, int nx, int ny, int nz)
    {
        var grid = RandomFlags.Grid(3, solid, air, nx, ny, nz);
        var cells = grid.CellArray;
        var fluid = Enumerable.Range(0, cells.Length).Where(i => cells[i] == CellType.Fluid).ToArray();
        (bool Inside, int Cell)[] Faces(int i)
        {
            int x = i % nx, y = i / nx % ny, z = i / (nx * ny);
            return [(x > 0, i - 1), (x < nx - 1, i + 1), (y > 0, i - nx), (y < ny - 1, i + nx), (z > 0, i - nx * ny), (z < nz - 1, i + nx * ny)];
        }
        // the diagonal as the operator defines it: a fluid cell's open faces (in the grid, not solid), 0 elsewhere
        var diagonal = Enumerable.Range(0, cells.Length)
            .Select(i => cells[i] == CellType.Fluid ? (byte)Faces(i).Count(n => n.Inside && cells[n.Cell] != CellType.Solid) : (byte)0).ToArray();
        var unknowns = fluid.Where(i => diagonal[i] > 0).ToArray();
        Assert.That(grid.FluidCells, Is.EqualTo(fluid));
        Assert.That(grid.UnknownCells, Is.EqualTo(unknowns));
        var surface = fluid.Where(i => Faces(i).Any(n => n.Inside && cells[n.Cell] == CellType.Air)).ToArray();
        Assert.That(grid.SurfaceCells, Is.EqualTo(surface), "the fluid cells with an air neighbour");
        if (unknowns.Length == fluid.Length) Assert.That(grid.UnknownCells, Is.SameAs(grid.FluidCells), "no copy when every fluid cell is an unknown");
        else Assert.That(unknowns.Length, Is.GreaterThan(0));
        Assert.That(grid.Diagonal, Is.EqualTo(diagonal), "the operator's view makes the diagonal a plain loop makes");
        Assert.That(CellDiagonal.Of(grid), Is.EqualTo(diagonal).And.Not.SameAs(grid.Diagonal), "CellDiagonal.Of: a copy of it");

        // asked in the other order (the unknowns first, as a set-up does): the same lists, still one array when they are equal
        var again = new PoissonGrid(nx, ny, nz, cells);
        Assert.That(again.UnknownCells, Is.EqualTo(unknowns));
        Assert.That(again.SurfaceCells, Is.EqualTo(surface));
        Assert.That(again.FluidCells, Is.EqualTo(fluid));
        if (unknowns.Length == fluid.Length) Assert.That(again.FluidCells, Is.SameAs(again.UnknownCells));
    }
}
