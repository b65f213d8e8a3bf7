using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Tests.Solvers;

/// <summary>The product on a grid's unknowns that reads the compact matrix's pattern only, against the matrix's own product.</summary>
public class CompactStencilTests
{
    [TestCase(48, 40, 36)] // parallel row blocks
    [TestCase(9, 8, 7)] // one block on the calling thread
    public void TheProductAndTheResidualAreTheMatrixsBitForBit(int nx, int ny, int nz)
    {
        var grid = RandomFlags.Grid(1, 0.45, 0.05, nx, ny, nz); // air, solid, closed pockets, isolated fluid cells
        var system = ReducedSystem.FromGrid(grid);
        Assert.That(system.Unknowns, Is.LessThan(grid.FluidCount), "isolated fluid cells are no unknowns: the matrix is a submatrix");
        var a = system.Matrix;
        Assert.That(a.NonZeros >= CsrMatrix.ParallelNonZeros, Is.EqualTo(nx > 9), "the sizes run both paths");
        var stencil = new CompactStencil(a, grid, system.Active);
        var (x, b) = AssertTheMatrixsProduct(stencil, a, seed: 5);
        HostOperatorAssert.IsTheMatrix(new HostBackend(stencil), a, x, b); // and the matrix's values, as a plain loop reads them
    }

    /// <summary>The stencil's product and residual on random vectors are the CSR matrix's, bit for bit; returns the vectors.</summary>
    static (double[] X, double[] B) AssertTheMatrixsProduct(CompactStencil stencil, CsrMatrix a, int seed)
    {
        var rng = new Random(seed);
        double[] x = [.. Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5)], b = [.. Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble())];
        var csr = new CsrOperator(a);
        double[] q = new double[a.Rows], expected = new double[a.Rows];
        Assert.That(stencil.MultiplyAndDot(x, q), Is.EqualTo(csr.MultiplyAndDot(x, expected)));
        Assert.That(q, Is.EqualTo(expected));
        double[] r = new double[a.Rows], expectedR = new double[a.Rows];
        Assert.That(stencil.Residual(b, x, r), Is.EqualTo(csr.Residual(b, x, expectedR)));
        Assert.That(r, Is.EqualTo(expectedR));
        return (x, b);
    }

    /// <summary>Grids whose unknowns are some of the fluid cells, all of them, every cell, and grids one cell thin.</summary>
    static IEnumerable<TestCaseData> PatternGrids()
    {
        yield return new TestCaseData(RandomFlags.Grid(2, 0.45, 0.05, 23, 17, 11)).SetName("random flags: isolated fluid cells, pockets, air");
        yield return new TestCaseData(RandomFlags.Grid(3, 0.2, 0.2, 9, 13, 16)).SetName("random flags: much air");
        yield return new TestCaseData(RandomFlags.Grid(4, 0.3, 0, 1, 20, 19)).SetName("one cell along x");
        yield return new TestCaseData(RandomFlags.Grid(5, 0.3, 0.1, 21, 1, 18)).SetName("one cell along y");
        yield return new TestCaseData(RandomFlags.Grid(6, 0.3, 0.1, 17, 19, 1)).SetName("one cell along z");
        yield return new TestCaseData(PoissonGrid.Filled(7, 6, 5, CellType.Fluid)).SetName("every cell an unknown");
        yield return new TestCaseData(PoissonDomains.Named("slits", 24, 20, 22, 3)).SetName("slits");
        yield return new TestCaseData(PoissonDomains.Named("channel", 16, 16, 16, 1)).SetName("channel");
        yield return new TestCaseData(RandomFlags.Grid(9, 0.1, 0.05, 75, 9, 8)).SetName("rows longer than 32 cells, parallel blocks");
        yield return new TestCaseData(PoissonDomains.Named("slits", 48, 40, 44, 3)).SetName("slits, parallel blocks");
        yield return new TestCaseData(PoissonGrid.Filled(40, 33, 30, CellType.Fluid)).SetName("every cell an unknown, parallel blocks");
    }

    [TestCaseSource(nameof(PatternGrids))]
    public void ThePiecesFromTheGridAndFromTheAssembledPatternGiveTheMatrixsProduct(PoissonGrid grid)
    {
        var system = ReducedSystem.FromGrid(grid);
        var a = system.Matrix; // the compact matrix assembled, less the isolated fluid cells' rows
        var blocks = CompactStencil.Blocks(a.RowPointers);
        var fromGrid = RowPieces.Of(grid);
        var fromPattern = RowPieces.Of(a.RowPointers, a.ColumnIndices, blocks);
        Assert.That(fromGrid.Blocks, Is.EqualTo(blocks.Length - 1), "the CSR product's row blocks");
        Assert.That(fromPattern.Blocks, Is.EqualTo(blocks.Length - 1));
        var diagonal = system.Active is { } active ? active.Select(i => grid.Diagonal[i]).ToArray() : grid.Diagonal; // per unknown
        var rng = new Random(4);
        double[] x = [.. Enumerable.Range(0, a.Rows).Select(_ => rng.NextDouble() - 0.5)], expected = new double[a.Rows];
        double dot = new CsrOperator(a).MultiplyAndDot(x, expected);
        foreach (var pieces in new[] { fromGrid, fromPattern })
        {
            var y = new double[a.Rows];
            double sum = 0;
            for (int b = 0; b < pieces.Blocks; b++) sum += pieces.Product(b, diagonal, x, y, dot: true);
            Assert.That(y, Is.EqualTo(expected), "bit for bit");
            Assert.That(sum, Is.EqualTo(dot), "the dot, block by block in row order");
        }
    }

    [Test]
    public void APieceEndsAtARowBlocksStart()
    {
        // slits: long pieces, so the product's row blocks cut some; a cut piece is two, one in each block
        var grid = PoissonDomains.Named("slits", 48, 40, 44, 3);
        var a = ReducedSystem.FromGrid(grid).Matrix;
        var blocks = CompactStencil.Blocks(a.RowPointers);
        Assert.That(blocks.Length - 1, Is.GreaterThan(2), "parallel row blocks");
        var whole = RowPieces.Of(a.RowPointers, a.ColumnIndices, [0, a.Rows]);
        var cut = RowPieces.Of(a.RowPointers, a.ColumnIndices, blocks);
        Assert.That(cut.Count, Is.GreaterThan(whole.Count).And.AtMost(whole.Count + blocks.Length - 2));
        Assert.That(RowPieces.Of(grid).Count, Is.EqualTo(cut.Count), "the grid's pieces are the pattern's");
    }

    [Test]
    public void ARowThatIsNoVoxelRowIsNamed()
    {
        // row 1 of a 3 x 3 matrix without its diagonal
        int[] rowStart = [0, 2, 3, 5], columns = [0, 1, 0, 1, 2];
        Assert.That(() => RowPieces.Of(rowStart, columns, [0, 3]), Throws.ArgumentException.With.Message.Contains("row 1"));
    }

    [TestCase(48, 40, 36)] // parallel row blocks
    [TestCase(9, 8, 7)] // one block on the calling thread
    public void TheProductFromTheGridAloneIsTheMatrixsBitForBit(int nx, int ny, int nz)
    {
        var grid = RandomFlags.Grid(8, 0.45, 0.05, nx, ny, nz);
        var system = ReducedSystem.FromGrid(grid);
        var stencil = new CompactStencil(grid);
        Assert.That(system.IsAssembled, Is.False, "the stencil assembles nothing");
        AssertTheMatrixsProduct(stencil, system.Matrix, seed: 6);
    }

    [TestCase("slits")] // half solid
    [TestCase("baffles")] // mostly fluid: on the unknowns too, not on the full grid
    public void DcdmAndPcgMgOnAGridAssembleNoMatrix(string family)
    {
        // the iteration runs on the unknowns, in the pattern made from the grid
        var grid = PoissonDomains.Named(family, 24, 24, 24, 2);
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var dcdm = new DeepConjugateDirections(grid, new KCycleDirectionModel());
        Assert.That(dcdm.Product, Is.TypeOf<CompactStencil>());
        Assert.That(dcdm.Solve(b, new double[b.Length]).Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(dcdm.System.IsAssembled, Is.False, "DCDM assembled the grid's matrix");
        var pcg = new ConjugateGradient(grid, null, "pcg-mg", null, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u));
        Assert.That(pcg.Solve(b, new double[b.Length]).Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(pcg.System.IsAssembled, Is.False, "pcg-mg assembled the grid's matrix");
    }

    [Test]
    public void AMatrixOfAnotherSizeIsRefused()
    {
        var grid = PoissonDomains.Named("slits", 12, 12, 12, 1);
        var a = ReducedSystem.FromGrid(grid).Matrix;
        Assert.That(() => new CompactStencil(a, grid, null), Throws.ArgumentException.With.Message.Contains($"{grid.CellCount} unknowns"));
    }

    [Test]
    public void DcdmOnAMatchedCompactMatrixSolvesAsOnTheMatrixItself()
    {
        // half solid: the full grid does not pay, so DCDM iterates on the unknowns; a caller's matrix is taken as it is
        // (its product in CSR), the one the catalog matched against the grid by its pattern
        var grid = PoissonDomains.Named("slits", 40, 40, 40, 2);
        var compact = grid.ToCsr(GridMatrixLayout.Compact);
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var options = new SolverOptions { Tolerance = 1e-8 };
        var model = new KCycleDirectionModel();
        double[] x = new double[b.Length], xMatched = new double[b.Length];
        var asMatrix = new DeepConjugateDirections(grid, model, options, matrix: compact).Solve(b, x);
        var matched = new DeepConjugateDirections(grid, model, options, 2, compact, matrixIsGridOperator: true);
        Assert.That(matched.Product, Is.TypeOf<CompactStencil>());
        var result = matched.Solve(b, xMatched);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.EqualTo(asMatrix.Iterations));
        Assert.That(xMatched, Is.EqualTo(x), "bit for bit");
    }

    [Test]
    public void PcgMgOnAGridsUnknownsSolvesAsOnItsAssembledMatrix()
    {
        var grid = PoissonDomains.DamBreak(32, 24, 28, 0.4, 0.6);
        var b = RightHandSides.VelocityDivergence(grid, 4);
        var options = new SolverOptions { Tolerance = 1e-8 };
        double[] x = new double[b.Length], xStencil = new double[b.Length];
        var onMatrix = new ConjugateGradient(() => ReducedSystem.FromGrid(grid), "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u)).Solve(b, x);
        var result = new ConjugateGradient(grid, null, "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u)).Solve(b, xStencil);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.EqualTo(onMatrix.Iterations));
        Assert.That(xStencil, Is.EqualTo(x), "bit for bit");
    }

    /// <summary>
    /// Rock with fluid cells walled in on every face (zero rows of the compact matrix, no unknowns): the matched matrix's
    /// rows on the unknowns are not copied for the product (<see cref="CompactStencil.For"/>), and DCDM and pcg-mg solve
    /// as on that submatrix, bit for bit.
    /// </summary>
    [Test]
    public void AMatchedCompactMatrixWithWalledInCellsIsNotCopiedForTheProduct()
    {
        var grid = PoissonDomains.CarvedRock(28, 26, 24, 0.8, 6, 5);
        Assert.That(grid.UnknownCells.Length, Is.LessThan(grid.FluidCount), "fluid cells without an open face");
        var compact = grid.ToCsr(GridMatrixLayout.Compact);
        var b = RightHandSides.VelocityDivergence(grid, 3);
        var options = new SolverOptions { Tolerance = 1e-8 };
        var model = new KCycleDirectionModel();
        var matched = new DeepConjugateDirections(grid, model, options, 2, compact, matrixIsGridOperator: true);
        Assert.That(matched.Product, Is.TypeOf<CompactStencil>());
        Assert.That(matched.System.IsAssembled, Is.False, "the rows on the unknowns were copied for DCDM");
        double[] x = new double[b.Length], xMatched = new double[b.Length];
        var result = matched.Solve(b, xMatched);
        var asMatrix = new DeepConjugateDirections(grid, model, options, matrix: compact).Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Iterations, Is.EqualTo(asMatrix.Iterations));
        Assert.That(xMatched, Is.EqualTo(x), "DCDM bit for bit");

        var pcg = new ConjugateGradient(grid, compact, "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u));
        Assert.That(pcg.System.IsAssembled, Is.False, "the rows on the unknowns were copied for pcg-mg");
        double[] y = new double[b.Length], yMatrix = new double[b.Length];
        var onStencil = pcg.Solve(b, y);
        var onMatrix = new ConjugateGradient(() => ReducedSystem.FromGrid(grid, compact), "pcg-mg", options, u => new Dcdm.Multigrid.AggregateMultigrid(grid, u)).Solve(b, yMatrix);
        Assert.That(onStencil.Status, Is.EqualTo(SolveStatus.Converged), onStencil.Message);
        Assert.That(y, Is.EqualTo(yMatrix), "pcg-mg bit for bit");
    }
}
