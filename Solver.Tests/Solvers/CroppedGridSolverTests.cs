using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Solvers;

/// <summary>pcg-mg and DCDM on the box around the fluid cells: the same answer as on the whole grid, full-grid and compact vectors.</summary>
public class CroppedGridSolverTests
{
    static readonly SolverOptions Tight = new() { Tolerance = 1e-10 };

    static IEnumerable<TestCaseData> Domains()
    {
        yield return new TestCaseData(PoissonDomains.DamBreak(32, 20, 28, 0.4, 0.5)).SetArgDisplayNames("dam break 32x20x28");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(24, 18, 30, 0.45, 2)).SetArgDisplayNames("tank 24x18x30");
    }

    static IEnumerable<TestCaseData> LargeDomain()
    {
        yield return new TestCaseData(PoissonDomains.DamBreak(48, 40, 44, 0.4, 0.5)).SetArgDisplayNames("dam break 48x40x44");
    }

    [TestCaseSource(nameof(Domains))]
    public void TheBoxHoldsEveryFluidCellWithAMarginFromAnAlignedOrigin(PoissonGrid grid)
    {
        var (box, (ox, oy, oz)) = CroppedGridSolver.BoxOf(grid)!.Value;
        Assert.That(new[] { ox, oy, oz }, Is.All.Matches<int>(o => o % CroppedGridSolver.Alignment == 0));
        Assert.That(box.CellCount, Is.LessThanOrEqualTo(CroppedGridSolver.MaxShare * grid.CellCount));
        Assert.That(box.FluidCount, Is.EqualTo(grid.FluidCount));
        foreach (int i in grid.FluidCells)
        {
            int x = i % grid.Nx, y = i / grid.Nx % grid.Ny, z = i / (grid.Nx * grid.Ny);
            // inside, with a neighbour cell of margin unless the grid ends there
            foreach (var (c, o, n, s) in new[] { (x, ox, grid.Nx, box.Nx), (y, oy, grid.Ny, box.Ny), (z, oz, grid.Nz, box.Nz) })
            {
                Assert.That(c - o, Is.InRange(c == 0 ? 0 : 1, s - 1 - (c == n - 1 ? 0 : 1)));
            }
            Assert.That(box[x - ox, y - oy, z - oz], Is.EqualTo(CellType.Fluid));
        }
        Assert.That(CroppedGridSolver.BoxOf(PoissonDomains.SmokeBox(16, 16, 16)), Is.Null, "fluid nearly everywhere: no box");
    }

    [Test]
    public void TheDomainsCarryVectorsBothWays()
    {
        // the tank's box is whole planes (the box's solver takes the grid's vectors in place), the dam break's is cropped
        // along x too (b and x gathered into the box's arrays): the tests above run both
        var (tank, _) = CroppedGridSolver.BoxOf(PoissonDomains.FreeSurfaceTank(24, 18, 30, 0.45, 2))!.Value;
        Assert.That((tank.Nx, tank.Ny), Is.EqualTo((24, 18)));
        var (dam, _) = CroppedGridSolver.BoxOf(PoissonDomains.DamBreak(32, 20, 28, 0.4, 0.5))!.Value;
        Assert.That(dam.Nx, Is.LessThan(32));
    }

    [TestCaseSource(nameof(Domains))]
    public void PcgMgAndDcdmOnTheBoxSolveAsOnTheWholeGrid(PoissonGrid grid)
    {
        var b = RightHandSides.Random(grid, 3);
        int air = Array.FindLastIndex(grid.CellArray, c => c == CellType.Air);
        b[air] = 2; // on no unknown, outside the box: removed and reported as the whole grid's solver does
        var whole = new ConjugateGradient(grid, null, "pcg-mg", Tight, unknowns => new AggregateMultigrid(grid, unknowns));
        var expected = new double[grid.CellCount];
        var reference = whole.Solve(b, expected);
        CropAssert.SolvesAsTheWholeGrid<CroppedGridSolver>((method, model) => new SolverCatalog().CreateForGrid(method, grid, Tight, model), b, expected,
            reference, "the box around the fluid cells");
    }

    /// <remarks>The 48x40x44 case is long enough (over 65,536 cells) for sums over the grid to run in parallel chunks.</remarks>
    [TestCaseSource(nameof(Domains))]
    [TestCaseSource(nameof(LargeDomain))]
    public void ABThatIsZeroOutsideTheBoxIsReportedAsTheWholeGridReportsIt(PoissonGrid grid)
    {
        var b = RightHandSides.Random(grid, 4); // 0 off the fluid cells
        var whole = new ConjugateGradient(grid, null, "pcg-mg", Tight, unknowns => new AggregateMultigrid(grid, unknowns)).Solve(b, new double[b.Length]);
        var cropped = new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, Tight).Solve(b, new double[b.Length]);
        Assert.That(whole.Projection, Is.Null, "nothing removed on the whole grid");
        Assert.That(cropped.Projection, Is.Null, "nor through the box");
        Assert.That(cropped.Details["unknowns"], Does.Contain($" of {grid.CellCount} cells"), "the caller's cells, not the box's");
    }

    [Test]
    public void ARefusalNamesTheCallersGrid()
    {
        // isolated fluid cells only: no unknown; the message is the whole grid's, not the box's
        var cells = Enumerable.Repeat(CellType.Solid, 32 * 32 * 32).ToArray();
        cells[5 + 32 * (5 + 32 * 5)] = CellType.Fluid;
        var grid = new PoissonGrid(32, 32, 32, cells);
        var e = Assert.Throws<InvalidSystemException>(() => new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, Tight));
        Assert.That(e!.Message, Does.Contain("32x32x32"));
    }

    [TestCase(32, 20, 28)]
    [TestCase(96, 64, 80)] // over 65,536 fluid cells: the compact vectors are copied in parallel chunks
    public void CompactVectorsAndAModelThatSeesTheWholeGrid(int nx, int ny, int nz)
    {
        var grid = PoissonDomains.DamBreak(nx, ny, nz, 0.4, 0.5);
        var compact = grid.ToCsr(GridMatrixLayout.Compact);
        var b = Enumerable.Range(0, compact.Rows).Select(i => Math.Sin(i)).ToArray();
        var x = new double[b.Length];
        var solver = new SolverCatalog().Create(SolveMethod.PcgMg, new SolverInput(compact, grid), Tight);
        Assert.That((solver, solver.Size), Is.EqualTo((solver as CroppedGridSolver, grid.FluidCount)), "compact vectors straight to the box");
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(compact, b, x), Is.LessThanOrEqualTo(1.01e-10));
        Assert.That(grid.FluidCount > 65_536, Is.EqualTo(nx > 32), "the sizes run both paths of the copies");
        // the same answer as full-grid vectors through the box
        var full = new double[grid.CellCount];
        foreach (var (cell, k) in grid.FluidCells.Select((cell, k) => (cell, k))) full[cell] = b[k];
        var xFull = new double[grid.CellCount];
        new SolverCatalog().CreateForGrid(SolveMethod.PcgMg, grid, Tight).Solve(full, xFull);
        Assert.That(x, Is.EqualTo(grid.FluidCells.Select(cell => xFull[cell]).ToArray()).Within(1e-12 * xFull.Max(Math.Abs)));
        // the stencil model's levels follow the grid's size: it runs on the whole grid
        var stencil = new StencilDirectionModel(ModelFile.Read(TestData.Model("stencil.safetensors")));
        Assert.That(new SolverCatalog().CreateForGrid(SolveMethod.Dcdm, grid, Tight, stencil), Is.Not.InstanceOf<CroppedGridSolver>());
    }

    [Test]
    public void InATimeLoopTheBoxIsKeptWhileTheFluidStaysInItAndFillsEnoughOfIt()
    {
        var grid = PoissonDomains.DamBreak(64, 24, 48, 0.30, 0.5);
        var tight = CroppedGridSolver.BoxOf(grid)!.Value;
        var cache = new RebindCache();
        (int, int, int) Size(PoissonGrid box) => (box.Nx, box.Ny, box.Nz);
        using (cache.Begin())
        {
            var box = CroppedGridSolver.BoxOf(grid)!.Value;
            Assert.That(box.Origin, Is.EqualTo(tight.Origin));
            var (ox, oy, oz) = box.Origin;
            foreach (var (o, s, n) in new[] { (ox, box.Box.Nx, grid.Nx), (oy, box.Box.Ny, grid.Ny), (oz, box.Box.Nz, grid.Nz) })
                Assert.That((o + s) % CroppedGridSolver.Alignment == 0 || o + s == n, $"the far end {o + s} is on the alignment or the grid's end");
            Assert.That(box.Box.Nx, Is.GreaterThanOrEqualTo(tight.Box.Nx));
            Assert.That(box.Box.FluidCount, Is.EqualTo(grid.FluidCount));
        }
        var kept = cache.Box;
        using (cache.Begin())
        {
            var moved = PoissonDomains.DamBreak(64, 24, 48, 0.32, 0.5); // the front one cell on: still inside
            var box = CroppedGridSolver.BoxOf(moved)!.Value;
            Assert.That(cache.Box, Is.EqualTo(kept));
            Assert.That(box.Box.FluidCount, Is.EqualTo(moved.FluidCount));
        }
        using (cache.Begin())
        {
            var far = PoissonDomains.DamBreak(64, 24, 48, 0.45, 0.5); // the front left the box
            var box = CroppedGridSolver.BoxOf(far)!.Value;
            Assert.That(cache.Box, Is.Not.EqualTo(kept));
            Assert.That(box.Box.FluidCount, Is.EqualTo(far.FluidCount));
            kept = cache.Box;
        }
        using (cache.Begin())
        {
            var low = PoissonDomains.DamBreak(64, 24, 48, 0.45, 0.2); // the column fell: the last box is too loose
            var box = CroppedGridSolver.BoxOf(low)!.Value;
            Assert.That(cache.Box, Is.Not.EqualTo(kept));
            Assert.That((double)box.Box.CellCount, Is.LessThan(kept!.Value.Cells / CroppedGridSolver.MaxLooseness));
        }
        Assert.That(Size(CroppedGridSolver.BoxOf(grid)!.Value.Box), Is.EqualTo(Size(tight.Box)), "outside a re-bind: the tightest box");
    }
}
