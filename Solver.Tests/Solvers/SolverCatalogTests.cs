using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Solvers;
using Dcdm.Models;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Solvers;

public class SolverCatalogTests
{
    static readonly PoissonGrid Grid = PoissonDomains.RandomObstacles(10, 9, 8, 0.2, seed: 3);
    static readonly IDirectionModel Stencil = new StencilDirectionModel(ModelFile.Read(TestData.Model("stencil.safetensors")));

    /// <summary>||b - A x|| / ||b|| with the input's own matrix (every row of these grids is an unknown or all zero).</summary>
    static double Residual(SolverInput input, double[] b, double[] x) => ProductResidual.Relative(input.Matrix, b, x);

    static IEnumerable<TestCaseData> CpuCases()
    {
        foreach (var method in Enum.GetValues<SolveMethod>())
            foreach (bool compact in new[] { false, true })
                yield return new TestCaseData(method, compact).SetArgDisplayNames(SolverCatalog.NameOf(method), compact ? "compact" : "full grid");
    }

    [TestCaseSource(nameof(CpuCases))]
    public void EveryMethodSolvesTheInputInItsOwnLayout(SolveMethod method, bool compact)
    {
        var input = new SolverInput(Grid.ToCsr(compact ? GridMatrixLayout.Compact : GridMatrixLayout.FullGrid), Grid);
        Assert.That(input.IsCompact, Is.EqualTo(compact));
        var full = RightHandSides.VelocityDivergence(Grid, 2);
        var b = compact ? Grid.ToCompact(full) : full;
        var solver = new SolverCatalog().Create(method, input, new SolverOptions { Tolerance = 1e-8 }, Stencil);
        Assert.That(solver.Size, Is.EqualTo(input.Matrix.Rows), "b and x in the input's layout");
        Assert.That(solver.Method, Does.StartWith(SolverCatalog.NameOf(method)));
        var x = new double[b.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(Residual(input, b, x), Is.LessThanOrEqualTo(1.01e-8));
    }

    /// <summary>
    /// A voxel operator given as a compact matrix with its flags (as `dcdm solve --flags` reads a file) is solved by
    /// pcg-mg and dcdm on that matrix, not one assembled again from the coefficients: the same x, bit for bit, as the
    /// operator alone gives, on the whole grid (a cut-cell rock) and on the box around the unknowns (the same rock in the
    /// lower part of a taller grid, closed above it: the compact rows keep their order in the box).
    /// </summary>
    [TestCase(SolveMethod.Dcdm, false)]
    [TestCase(SolveMethod.PcgMg, false)]
    [TestCase(SolveMethod.Dcdm, true)]
    [TestCase(SolveMethod.PcgMg, true)]
    public void AVoxelOperatorsCompactMatrixIsSolvedAsItsCoefficientsAre(SolveMethod method, bool inABox)
    {
        var (op, cells, flags) = Rock(inABox);
        Assert.That(CroppedOperatorSolver.BoxOf(op) is null, Is.EqualTo(!inABox), "the box around the unknowns serves only in the taller grid");
        var input = new SolverInput(op.ToCsr().Submatrix(cells), flags, op);
        Assert.That(input.IsCompact);
        var rng = new Random(2);
        var b = cells.Select(_ => rng.NextDouble() - 0.5).ToArray();
        var options = new SolverOptions { Tolerance = 1e-8 };
        var model = method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null;
        using var compact = new SolverCatalog().Create(method, input, options, model);
        using var alone = new SolverCatalog().CreateForOperator(method, op, options, model);
        var x = new double[cells.Length];
        var result = compact.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(input.Matrix, b, x), Is.LessThanOrEqualTo(1.01e-8));
        var bFull = new double[op.CellCount];
        for (int k = 0; k < cells.Length; k++) bFull[cells[k]] = b[k];
        var xFull = new double[op.CellCount];
        Assert.That(alone.Solve(bFull, xFull).Iterations, Is.EqualTo(result.Iterations));
        Assert.That(x, Is.EqualTo(cells.Select(i => xFull[i]).ToArray()), "the same x as from the coefficients");
    }

    /// <summary>
    /// The compact matrix is the one solved: a coupling pair changed after the operator was recognised (by 1e-4) is what x
    /// satisfies to the tolerance, on the whole grid and on the box; a full-grid matrix of the taller grid serves the
    /// whole grid only, so its solve still runs on the box (the note names it) with a matrix assembled there.
    /// </summary>
    [TestCase(SolveMethod.Dcdm, false)]
    [TestCase(SolveMethod.PcgMg, true)]
    public void TheCallersCompactMatrixIsTheOneSolved(SolveMethod method, bool inABox)
    {
        var (op, cells, flags) = Rock(inABox);
        var a = op.ToCsr().Submatrix(cells);
        // one coupling and its symmetric copy, 1e-4 stronger, the diagonals with them (still the operator's pattern)
        int row = cells.Length / 2, k = Enumerable.Range(a.RowPointers[row], a.RowPointers[row + 1] - a.RowPointers[row]).First(e => a.ColumnIndices[e] != row);
        int column = a.ColumnIndices[k], back = Enumerable.Range(a.RowPointers[column], a.RowPointers[column + 1] - a.RowPointers[column]).First(e => a.ColumnIndices[e] == row);
        double change = 1e-4 * a.Values[k];
        a.Values[k] += change;
        a.Values[back] += change;
        foreach (int r in new[] { row, column })
            a.Values[Enumerable.Range(a.RowPointers[r], a.RowPointers[r + 1] - a.RowPointers[r]).First(e => a.ColumnIndices[e] == r)] -= change;
        var input = new SolverInput(a, flags, op);
        var rng = new Random(4);
        var b = cells.Select(_ => rng.NextDouble() - 0.5).ToArray();
        var model = method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null;
        using var solver = new SolverCatalog().Create(method, input, new SolverOptions { Tolerance = 1e-10 }, model);
        var x = new double[cells.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThanOrEqualTo(1.01e-10), "x solves the caller's matrix");
        if (!inABox) return;
        var full = op.ToCsr();
        var bFull = new double[op.CellCount];
        for (int c = 0; c < cells.Length; c++) bFull[cells[c]] = b[c];
        using var onFull = new SolverCatalog().Create(method, new SolverInput(full, null, op), new SolverOptions { Tolerance = 1e-10 }, model);
        var xFull = new double[op.CellCount];
        var solved = onFull.Solve(bFull, xFull);
        Assert.That(solved.Status, Is.EqualTo(SolveStatus.Converged), solved.Message);
        Assert.That(string.Join(" ", solved.Details.Values), Does.Contain("the box around the unknowns"), "the full-grid matrix stays with the whole grid");
    }

    /// <summary>
    /// A compact matrix whose flags hold fluid cells without an equation (zero rows), as many rows as the box around the
    /// unknowns has cells, is not taken for the box's full-grid matrix (the review's find: its rows were read as the
    /// box's cells and the solve diverged); the box assembles its own.
    /// </summary>
    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void ACompactMatrixWithZeroRowsAsLongAsTheBoxIsNotTakenForTheBoxs(SolveMethod method)
    {
        var op = Taller(CoefficientDomains.CutCellRock(12, 12, 12, 5), 30);
        var unknowns = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) > 0).ToArray();
        int boxCells = (int)CroppedOperatorSolver.BoxOf(op)!.Value.Crop.Cells;
        // fluid: the unknowns and, from the top of the grid down, cells without an equation (closed on every face)
        var extra = Enumerable.Range(0, op.CellCount).Reverse().Where(i => !(op.Diagonal(i) > 0)).Take(boxCells - unknowns.Length);
        var fluid = unknowns.Concat(extra).Order().ToArray();
        Assert.That(fluid, Has.Length.EqualTo(boxCells));
        var isFluid = new bool[op.CellCount];
        foreach (int i in fluid) isFluid[i] = true;
        var flags = new PoissonGrid(op.Nx, op.Ny, op.Nz, [.. isFluid.Select(f => f ? CellType.Fluid : CellType.Solid)]);
        var a = op.ToCsr().Submatrix(fluid);
        var recognised = VoxelOperator.Recognise(a, op.Nx, op.Ny, op.Nz, flags.FluidCells, out string why);
        Assert.That(recognised, Is.Not.Null, why);
        var input = new SolverInput(a, flags, recognised);
        Assert.That(input.IsCompact);
        var rng = new Random(2);
        var b = fluid.Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        var model = method == SolveMethod.Dcdm ? new KCycleDirectionModel() : null;
        using var solver = new SolverCatalog().Create(method, input, new SolverOptions { Tolerance = 1e-8 }, model);
        var x = new double[fluid.Length];
        var result = solver.Solve(b, x);
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(ProductResidual.Relative(a, b, x), Is.LessThanOrEqualTo(1.01e-8));
    }

    /// <summary>A 12^3 cut-cell rock, or the same in the lowest planes of a grid 30 deep (<see cref="Taller"/>), its
    /// unknowns' cells and flags marking them fluid.</summary>
    static (VoxelOperator Op, int[] Cells, PoissonGrid Flags) Rock(bool inABox)
    {
        var rock = CoefficientDomains.CutCellRock(12, 12, 12, 5);
        var op = inABox ? Taller(rock, 30) : rock;
        var cells = Enumerable.Range(0, op.CellCount).Where(i => op.Diagonal(i) > 0).ToArray();
        var flags = new PoissonGrid(op.Nx, op.Ny, op.Nz, [.. Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? CellType.Fluid : CellType.Solid)]);
        return (op, cells, flags);
    }

    /// <summary><paramref name="op"/> in the lowest planes of a grid <paramref name="nz"/> deep, every cell above it closed.</summary>
    static VoxelOperator Taller(VoxelOperator op, int nz)
    {
        int n = op.CellCount;
        double[] Pad(double[] f) => [.. f, .. new double[op.Nx * op.Ny * nz - n]];
        // the rock's open top becomes faces into the closed cells above it: its Dirichlet terms stay, so it is still grounded
        var fz = Pad(op.FaceZ);
        for (int i = n - op.Nx * op.Ny; i < n; i++) fz[i] = 0;
        return new VoxelOperator(op.Nx, op.Ny, nz, Pad(op.FaceX), Pad(op.FaceY), fz, Pad(op.Dirichlet));
    }

    [Test]
    public void DcdmWithoutAGridIsRefusedWithTheMethodsThatApply()
    {
        var input = new SolverInput(Grid.ToCsr(GridMatrixLayout.FullGrid));
        var e = Assert.Throws<InvalidSystemException>(() => new SolverCatalog().Create(SolveMethod.Dcdm, input, model: Stencil));
        Assert.That(e!.Message, Does.Contain("cg, pcg-jacobi and pcg-ic0"));
        Assert.That(e.Message, Does.Not.Contain("--"), "library messages name no command-line flags");
    }

    [Test]
    public void NamesParseBackAndUnknownNamesAreRefused()
    {
        foreach (var method in Enum.GetValues<SolveMethod>()) Assert.That(SolverCatalog.Parse(SolverCatalog.NameOf(method)), Is.EqualTo(method));
        Assert.That(SolverCatalog.MethodNames, Has.Count.EqualTo(Enum.GetValues<SolveMethod>().Length));
        Assert.Throws<ArgumentException>(() => SolverCatalog.Parse("lu"));
    }

    [Test]
    public void OnADeviceAVoxelInputGetsTheGridSolverAndIc0IsRefused()
    {
        using var device = GpuDevice.Open(DeviceKind.Cpu);
        var catalog = new SolverCatalog(new GpuSolvers(device));
        var input = new SolverInput(Grid.ToCsr(GridMatrixLayout.Compact), Grid);
        var b = Grid.ToCompact(RightHandSides.VelocityDivergence(Grid, 2));
        using (var cg = (IDisposable)catalog.Create(SolveMethod.Cg, input, new SolverOptions { Tolerance = 1e-8 }))
        {
            var solver = (ILinearSolver)cg;
            Assert.That(solver.Method, Does.StartWith("cg (grid"));
            var x = new double[b.Length];
            Assert.That(solver.Solve(b, x).Status, Is.EqualTo(SolveStatus.Converged));
            Assert.That(Residual(input, b, x), Is.LessThanOrEqualTo(1.01e-8));
        }
        var e = Assert.Throws<InvalidSystemException>(() => catalog.Create(SolveMethod.PcgIc0, input));
        Assert.That(e!.Message, Does.Contain("CPU only"));
        using var general = (IDisposable)catalog.Create(SolveMethod.PcgJacobi, new SolverInput(input.Matrix));
        Assert.That(general, Is.InstanceOf<GpuConjugateGradient>());
        var noKernels = Assert.Throws<InvalidSystemException>(() => catalog.Create(SolveMethod.Dcdm, input, model: new IdentityDirectionModel()));
        Assert.That(noKernels!.Message, Does.Contain("dcdm on").And.Contain("have device kernels (identity); run it on the CPU"));
    }

    /// <summary>A model with no device kernels: q = r.</summary>
    sealed class IdentityDirectionModel : IDirectionModel, IDirection
    {
        public string Description => "identity";
        public IDirection Bind(PoissonGrid grid) => this;
        public void Apply(ReadOnlySpan<float> r, Span<float> q) => r.CopyTo(q);
    }

    [Test]
    public void DirectionModelsLoadTheRegisteredArchitecturesOnly()
    {
        var models = new DirectionModels();
        Assert.That(models.Architectures, Is.EquivalentTo(new[] { "stencil", "vcycle" }));
        Assert.That(models.Load(ModelFile.Read(TestData.Model("stencil.safetensors"))), Is.InstanceOf<StencilDirectionModel>());
        var other = ModelFile.Read(TestData.Model("stencil.safetensors"));
        other.Metadata["architecture"] = "paper";
        var e = Assert.Throws<ModelFileException>(() => models.Load(other));
        Assert.That(e!.Message, Does.Contain("'paper'").And.Contain("stencil"));
        Assert.That(models.With("paper", _ => Stencil).Load(other), Is.SameAs(Stencil));
        var earlier = ModelFile.Read(TestData.Model("stencil.safetensors"));
        earlier.Metadata["architecture"] = "lean"; // the stencil model's name in files written before the rename
        Assert.That(models.Load(earlier), Is.InstanceOf<StencilDirectionModel>());
        Assert.That(ShippedModels.Named("lean"), Is.InstanceOf<StencilDirectionModel>(), "--model lean, as before the rename");
    }

    [Test]
    public void TheClassicalDirectionIsNamedWithItsWeightAndSweeps()
    {
        var defaults = (KCycleDirectionModel)ShippedModels.Named("kcycle")!;
        Assert.That((defaults.Relaxation, defaults.GridSweeps, defaults.OperatorSweeps),
            Is.EqualTo((AggregateMultigrid.DefaultRelaxation, AggregateMultigrid.GridSweeps, AggregateMultigrid.OperatorSweeps)));
        Assert.That(defaults.Description, Does.Contain($"{AggregateMultigrid.GridSweeps} sweeps").And.Not.Contain("per-face"), "one count where grids and per-face coefficients take the same");
        var weight = (KCycleDirectionModel)ShippedModels.Named("kcycle:1")!;
        Assert.That((weight.Relaxation, weight.GridSweeps), Is.EqualTo((1.0, AggregateMultigrid.GridSweeps)));
        var both = (KCycleDirectionModel)ShippedModels.Named("kcycle:1:2")!;
        Assert.That((both.Relaxation, both.GridSweeps, both.OperatorSweeps), Is.EqualTo((1.0, 2, 2)), "the vcycle model's two sweeps, untrained");
        Assert.That(both.Description, Does.EndWith("SOR weight 1, 2 sweeps"));
        foreach (var bad in new[] { "kcycle:2", "kcycle:0", "kcycle:1:0", "kcycle:1:x", "kcycle:1:2:3", "kcycle:" })
            Assert.That(ShippedModels.Named(bad), Is.Null, bad);
    }

    /// <summary>On per-face coefficients the cells' Gauss-Seidel takes no SOR weight: the solve's model line says so, with
    /// the operator's sweeps, instead of the grid's weight it does not use.</summary>
    [Test]
    public void OnAVoxelOperatorTheClassicalDirectionIsNamedWithoutTheGridsWeight()
    {
        var op = CoefficientDomains.TwoPhase(10, 10, 10, 100, 2);
        var b = RandomVector.Centred(op.CellCount, 1).Select((v, i) => op.Diagonal(i) > 0 ? v : 0).ToArray();
        foreach (var (name, sweeps) in new[] { ("kcycle", AggregateMultigrid.OperatorSweeps), ("kcycle:1.3:2", 2) })
        {
            var model = (KCycleDirectionModel)ShippedModels.Named(name)!;
            using var solver = (IDisposable)new SolverCatalog().CreateForOperator(SolveMethod.Dcdm, op, null, model);
            var result = ((ILinearSolver)solver).Solve(b, new double[b.Length]);
            Assert.That(result.Details["model"], Is.EqualTo(model.DescriptionOnFaces), name);
            Assert.That(result.Details["model"], Does.Contain("without an SOR weight").And.Contain($"{sweeps} sweeps").And.Not.Contain("1.3").And.Not.Contain("1.15"), name);
            int coarse = Math.Min(sweeps, AggregateMultigrid.OperatorCoarseSweeps);
            Assert.That(model.OperatorCoarseSweeps, Is.EqualTo(coarse), name);
            Assert.That(result.Details["model"], coarse == sweeps ? Does.Not.Contain("coarse levels") : Does.EndWith($"{sweeps} sweeps on the cells, {coarse} on the coarse levels"), name);
        }
    }

    [TestCase(SolveMethod.PcgMg)]
    [TestCase(SolveMethod.Dcdm)]
    public void AMatrixThatIsNotItsGridsOperatorIsRefused(SolveMethod method)
    {
        var a = Grid.ToCsr(GridMatrixLayout.FullGrid);
        var scaled = new Dcdm.Sparse.CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values.Select(v => 100 * v).ToArray());
        var e = Assert.Throws<InvalidSystemException>(() => new SolverCatalog().Create(method, new SolverInput(scaled, Grid), model: Stencil));
        Assert.That(e!.Message, Does.Contain("not the 7-point operator of its grid"));
    }

    /// <summary>
    /// An input made by SolverInput.OfGrid was checked once: the catalog trusts it for every solver it makes (a matrix
    /// changed afterwards, against the contract, shows that no second check runs), while a copy with another matrix, or a
    /// plain input, is checked again. A matrix that is not the grid's operator gets no input, and the row that differs.
    /// </summary>
    [TestCase(GridMatrixLayout.FullGrid)]
    [TestCase(GridMatrixLayout.Compact)]
    public void AnInputCheckedOnceIsNotCheckedAgainForEachSolver(GridMatrixLayout layout)
    {
        var a = Grid.ToCsr(layout);
        var input = SolverInput.OfGrid(a, Grid, out string why);
        Assert.That(input, Is.Not.Null, why);
        Assert.That(input!.IsCompact, Is.EqualTo(layout == GridMatrixLayout.Compact));
        var catalog = new SolverCatalog();
        using (var solver = catalog.Create(SolveMethod.PcgMg, input)) Assert.That(solver.Size, Is.EqualTo(a.Rows));

        var scaled = new Dcdm.Sparse.CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values.Select(v => 100 * v).ToArray());
        Assert.That(SolverInput.OfGrid(scaled, Grid, out why), Is.Null);
        Assert.That(why, Does.Match("row [0-9]+ differs"));
        Assert.Throws<InvalidSystemException>(() => catalog.Create(SolveMethod.PcgMg, input with { Matrix = scaled }), "a copy with another matrix is checked");
        Assert.That(input with { Matrix = a }, Is.EqualTo(new SolverInput(a, Grid)), "equality ignores the check");

        var copy = new Dcdm.Sparse.CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values.ToArray());
        var changed = SolverInput.OfGrid(copy, Grid, out _)!; // the operator, then changed in place
        changed.Matrix.Values[0] *= 2;
        using (catalog.Create(SolveMethod.PcgMg, changed)) { } // trusted: not checked again
        Assert.Throws<InvalidSystemException>(() => catalog.Create(SolveMethod.PcgMg, new SolverInput(changed.Matrix, Grid)), "a plain input is checked");
    }

    /// <summary>SolverInput.Infer gives the inferred grid checked (its last step is the entry-for-entry match), or null and why.</summary>
    [Test]
    public void AnInferredGridComesCheckedOnce()
    {
        var grid = PoissonDomains.FreeSurfaceTank(10, 9, 8, 0.5, 1);
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        var input = SolverInput.Infer(a, (10, 9, 8), out string why);
        Assert.That(input, Is.Not.Null, why);
        Assert.That(input!.GridIsChecked, Is.True);
        Assert.That(input.Grid!.Diagonal, Is.EqualTo(grid.Diagonal), "the same operator");
        var changed = new Dcdm.Sparse.CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values.ToArray());
        int row = Enumerable.Range(0, a.Rows).First(a.RowHasNonZero);
        int diagonal = Enumerable.Range(a.RowPointers[row], a.RowPointers[row + 1] - a.RowPointers[row]).First(k => a.ColumnIndices[k] == row);
        changed.Values[diagonal] = 0.5; // a diagonal that is no count of neighbours
        Assert.That(SolverInput.Infer(changed, (10, 9, 8), out why), Is.Null);
        Assert.That(why, Does.StartWith($"row {row + 1}:"));
        Assert.That(SolverInput.Infer(a, (9, 9, 8), out why), Is.Null);
        Assert.That(why, Does.Contain("cells but the matrix has"));
    }

    [Test]
    public void CgChecksTheGridOnlyWhereItRunsTheGridsOperator()
    {
        // a device's cg runs the grid's own operator, so a matrix that is not it is refused there; the CPU's cg runs the matrix
        var a = Grid.ToCsr(GridMatrixLayout.FullGrid);
        var scaled = new Dcdm.Sparse.CsrMatrix(a.Rows, a.Columns, a.RowPointers, a.ColumnIndices, a.Values.Select(v => 100 * v).ToArray());
        using var device = GpuDevice.Open(DeviceKind.Cpu);
        var e = Assert.Throws<InvalidSystemException>(() => new SolverCatalog(new GpuSolvers(device)).Create(SolveMethod.Cg, new SolverInput(scaled, Grid)));
        Assert.That(e!.Message, Does.Contain("not the 7-point operator of its grid"));
        using var onCpu = new SolverCatalog().Create(SolveMethod.Cg, new SolverInput(scaled, Grid));
        Assert.That(onCpu.Size, Is.EqualTo(a.Rows));
        using var pcgJacobi = new SolverCatalog(new GpuSolvers(device)).Create(SolveMethod.PcgJacobi, new SolverInput(scaled, Grid));
        Assert.That(pcgJacobi.Method, Does.StartWith("pcg-jacobi"), "the device's pcg-jacobi runs the matrix: no check");
    }
}

public class InitialGuessTests
{
    [Test]
    public void ANaNWarmStartIsNotANumberForEveryMethod()
    {
        var grid = PoissonDomains.FreeSurfaceTank(10, 10, 10, 0.6, 1);
        var input = new SolverInput(grid.ToCsr(GridMatrixLayout.Compact), grid);
        var b = grid.ToCompact(RightHandSides.VelocityDivergence(grid, 1));
        foreach (var method in Enum.GetValues<SolveMethod>())
        {
            var solver = new SolverCatalog().Create(method, input, model: StencilDirectionModel.Shipped());
            var x = new double[b.Length];
            x[3] = double.NaN;
            var r = solver.Solve(b, x, SolveSettings.FromGuess);
            Assert.That(r.Status, Is.EqualTo(SolveStatus.NotANumber), $"{method}: {r.Message}");
            Assert.That(r.Message, Does.Contain("initial guess"));
        }
    }
}
