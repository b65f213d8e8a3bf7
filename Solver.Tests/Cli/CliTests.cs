using System.Text.Json;
using Dcdm.Cli;
using Dcdm.MatrixMarket;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Cli;

public class CliTests
{
    static readonly string[] Methods = ["cg", "pcg-jacobi", "pcg-ic0"];

    [Test]
    public void SolveConvergesOnEverySpdMatrixAndTheWrittenXHasTheReportedResidual(
        [ValueSource(typeof(TestData), nameof(TestData.SpdMatrices))] string name, [ValueSource(nameof(Methods))] string method)
    {
        string matrix = TestData.Matrix(name);
        string xPath = Path.Combine(TestData.TempFolder(), "x.mtx");
        var args = new List<string> { "solve", matrix, "--method", method, "--tol", "1e-8", "--out", xPath, "--json" };
        if (name == "fluid16_A.mtx") args.AddRange(["--rhs", TestData.Matrix("fluid16_b.mtx")]);
        var (code, output, error) = Run(args.ToArray());
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = JsonDocument.Parse(output);
        double reported = json.RootElement.GetProperty("relativeResidual").GetDouble();
        Assert.That(reported, Is.LessThanOrEqualTo(1e-8));
        Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("Converged"));

        // Independent check: a plain triplet loop over the file as stored, not the solver's CSR.
        var content = MatrixMarketReader.Read(matrix);
        var x = MatrixMarketReader.ReadVector(xPath);
        double[] b;
        if (name == "fluid16_A.mtx") b = MatrixMarketReader.ReadVector(TestData.Matrix("fluid16_b.mtx"));
        else b = IndependentResidual.Multiply(content, IndependentResidual.ActiveRows(content).Select(a => a ? 1.0 : 0.0).ToArray());
        var ax = IndependentResidual.Multiply(content, x);
        var active = IndependentResidual.ActiveRows(content);
        double rr = 0, bb = 0;
        for (int i = 0; i < b.Length; i++)
        {
            if (!active[i]) continue; // zero rows are not equations (b there is dropped and reported)
            rr += (b[i] - ax[i]) * (b[i] - ax[i]); bb += b[i] * b[i];
        }
        Assert.That(Math.Sqrt(rr / bb), Is.EqualTo(reported).Within(0.01 * reported));
    }

    [Test]
    public void TableReportsStatusResidualErrorAndTimes()
    {
        string x = Path.Combine(TestData.TempFolder(), "x.mtx");
        var (code, output, error) = Run("solve", TestData.Matrix("nos6.mtx"), "--history", Path.Combine(TestData.TempFolder(), "h.csv"), "--out", x);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("status      Converged").And.Contain("setup").And.Contain("solve"));
        var rows = output.Split('\n').Where(l => l.Length > 12).ToDictionary(l => l[..12].Trim(), l => l[12..].Trim());
        double Leading(string label) => double.Parse(rows[label].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(int.Parse(rows["iterations"]), Is.GreaterThan(0));
        double residual = IndependentResidual.OfFiles(TestData.Matrix("nos6.mtx"), null, x);
        Assert.That(Leading("residual"), Is.EqualTo(residual).Within(0.01 * residual), "the printed residual is the written x's");
        Assert.That(Leading("residual"), Is.LessThanOrEqualTo(1e-6));
        var exact = MatrixMarketReader.ReadVector(x);
        double err = Math.Sqrt(exact.Sum(v => (v - 1) * (v - 1)) / exact.Length);
        Assert.That(Leading("error"), Is.EqualTo(err).Within(0.01 * err), "b = A * ones, so the error is against ones");
    }

    [Test]
    public void HistoryCsvHasOneRowPerIteration()
    {
        string h = Path.Combine(TestData.TempFolder(), "h.csv");
        var (code, output, _) = Run("solve", TestData.Matrix("Laplace3D10.mtx"), "--method", "cg", "--history", h, "--json");
        Assert.That(code, Is.EqualTo(0));
        int iterations = JsonDocument.Parse(output).RootElement.GetProperty("iterations").GetInt32();
        var lines = File.ReadAllLines(h);
        Assert.That(lines[0], Is.EqualTo("iteration,relative_residual"));
        Assert.That(lines, Has.Length.EqualTo(iterations + 2));
    }

    [Test]
    public void NotConvergingExitsWithOne()
    {
        var (code, output, _) = Run("solve", TestData.Matrix("1138_bus.mtx"), "--method", "cg", "--max-iter", "3");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("MaxIterations"));
    }

    static readonly object[] BadFiles =
    [
        new object[] { "%%MatrixMarket matrix coordinate real general\n2 2 2\n1 1 1\n", ":4:" },
        new object[] { "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", ":1:" },
        new object[] { "%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", ":1:" },
        new object[] { "%%MatrixMarket matrix coordinate real skew-symmetric\n1 1 1\n1 1 1\n", ":1:" },
        new object[] { "hello\n", ":1:" },
        new object[] { "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n", ":3:" },
        new object[] { "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 NaN\n", ":3:" },
        new object[] { "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 inf\n", ":3:" },
        new object[] { "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n1 2 1\n", ":5:" },
    ];

    [TestCaseSource(nameof(BadFiles))]
    public void BadInputExitsWithTwoAndOneLineNamingFileAndLine(string text, string line)
    {
        string path = Path.Combine(TestData.TempFolder(), "bad.mtx");
        File.WriteAllText(path, text);
        var (code, output, error) = Run("solve", path);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Is.Empty);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain(path + line));
        Assert.That(error, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void NonSymmetricNonSquareAndMismatchedInputsExitWithTwo()
    {
        string dir = TestData.TempFolder();
        string nonsym = Path.Combine(dir, "nonsym.mtx");
        File.WriteAllText(nonsym, "%%MatrixMarket matrix coordinate real general\n2 2 4\n1 1 2\n1 2 1\n2 1 0.5\n2 2 2\n");
        var r1 = Run("solve", nonsym);
        Assert.That(r1.code, Is.EqualTo(2));
        Assert.That(r1.error, Does.Contain("not symmetric").And.Contain(nonsym));

        string rect = Path.Combine(dir, "rect.mtx");
        File.WriteAllText(rect, "%%MatrixMarket matrix coordinate real general\n2 3 1\n1 1 2\n");
        var r2 = Run("solve", rect);
        Assert.That(r2.code, Is.EqualTo(2));
        Assert.That(r2.error, Does.Contain("square"));

        var r3 = Run("solve", TestData.Matrix("nos6.mtx"), "--rhs", TestData.Matrix("fluid16_b.mtx"));
        Assert.That(r3.code, Is.EqualTo(2));
        Assert.That(r3.error, Does.Contain("4096 entries").And.Contain("675 rows"));
    }

    // Each case names an existing matrix (A), so only the option check can refuse it, and the line must name the culprit.
    [TestCase("matrix", "solve")]
    [TestCase("--method", "solve", "A", "--method", "lu")]
    [TestCase("--tol", "solve", "A", "--tol", "abc")]
    [TestCase("--tol", "solve", "A", "--tol", "2")]
    [TestCase("--tol", "solve", "A", "--tol", "0")]
    [TestCase("--max-iter", "solve", "A", "--max-iter", "-1")]
    [TestCase("--k", "solve", "A", "--method", "dcdm", "--k", "51")]
    [TestCase("--device", "solve", "A", "--device", "tpu")]
    [TestCase("frobnicate", "frobnicate")]
    [TestCase("--size", "generate", "--size", "0", "-o", "DIR")]
    [TestCase("--density-ratio", "generate", "--domain", "tank", "--density-ratio", "100", "-o", "DIR")] // another domain's option, not ignored
    [TestCase("--interface-width", "generate", "--domain", "tank", "--interface-width", "1.5", "-o", "DIR")]
    [TestCase("--interface-width", "generate", "--domain", "two-phase", "--interface-width", "-1", "-o", "DIR")]
    [TestCase("--fill", "generate", "--domain", "rocks", "--fill", "0.3", "-o", "DIR")]
    [TestCase("--spheres", "generate", "--domain", "tank", "--spheres", "3", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "two-phase", "--solid-fraction", "0.2", "-o", "DIR")]
    [TestCase("--aspect", "generate", "--domain", "tank", "--aspect", "8", "-o", "DIR")]
    [TestCase("--aspect", "generate", "--domain", "flat-cells", "--aspect", "0.5", "-o", "DIR")]
    [TestCase("--wavelength", "generate", "--domain", "tank", "--wavelength", "4", "-o", "DIR")]
    [TestCase("--wavelength", "generate", "--domain", "cut-cell-rock", "--wavelength", "1", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "cut-cell-rock", "--solid-fraction", "0", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "carved", "--solid-fraction", "0", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "beads", "--solid-fraction", "0", "-o", "DIR")]
    [TestCase("--wavelength", "generate", "--domain", "beads", "--wavelength", "4", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "chambers", "--solid-fraction", "0.5", "-o", "DIR")]
    [TestCase("--solid-fraction", "generate", "--domain", "cut-cell-rock", "--size", "8", "--solid-fraction", "0.99999", "-o", "DIR")] // no unknown left
    [TestCase("--size", "generate", "--domain", "smoke", "--size", "16,16,1", "-o", "DIR")] // the open top is the whole grid: no fluid cell
    [TestCase("--size", "generate", "--domain", "carved", "--size", "16,16,1", "-o", "DIR")]
    [TestCase("--size", "generate", "--domain", "dambreak", "--size", "1,16,16", "-o", "DIR")] // the liquid block covers no whole cell
    [TestCase("--size", "generate", "--domain", "ghost-fluid", "--size", "1,1,1", "-o", "DIR")] // no unknown, and no --solid-fraction to suggest
    [TestCase("--grid", "solve", "A", "--method", "cg", "--grid", "8,8,8")] // checked though cg reads no grid
    [TestCase("--model", "simulate", "smoke", "--size", "8", "--steps", "1", "--method", "cg", "--model", "vcycle")]
    public void UsageErrorsExitWithTwoAndOneLineNamingTheOption(string culprit, params string[] args)
    {
        args = args.Select(a => a switch { "A" => TestData.Matrix("nos6.mtx"), "DIR" => TestData.TempFolder(), _ => a }).ToArray();
        var (code, _, error) = Run(args);
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain(culprit));
    }

    /// <summary>A size that leaves a family no cell to solve for writes no files, and the fix it names is one the domain takes.</summary>
    [TestCase("ghost-fluid", "1,1,1", null)]
    [TestCase("smoke", "16,16,1", null)]
    [TestCase("beads", "2,2,2", "--solid-fraction")]
    public void NoCellToSolveForWritesNothing(string domain, string size, string? solidFraction)
    {
        string dir = Path.Combine(TestData.TempFolder(), "out");
        var args = new List<string> { "generate", "--domain", domain, "--size", size, "-o", dir };
        if (solidFraction is not null) args.AddRange([solidFraction, "0.9"]);
        var (code, _, error) = Run([.. args]);
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error, Does.Contain($"--domain {domain} --size {size}").And.Contain("give a larger --size"));
        Assert.That(error.Contains("one cell high"), Is.EqualTo(size.EndsWith(",1")), "the open top named only where the grid is one cell high");
        Assert.That(error.Contains("--solid-fraction"), Is.EqualTo(solidFraction is not null), error);
        Assert.That(Directory.Exists(dir) ? Directory.GetFiles(dir) : [], Is.Empty);
    }

    [Test]
    public void MissingFileExitsWithTwo()
    {
        var (code, _, error) = Run("solve", "/no/such/A.mtx");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("/no/such/A.mtx"));
    }

    /// <summary>A family with per-face coefficients: written, recognised from the file alone (full) or with its flags (compact), solved by pcg-mg and dcdm.</summary>
    [TestCase("two-phase", "full", "pcg-mg")]
    [TestCase("cut-cell", "compact", "dcdm")]
    [TestCase("ghost-fluid", "full", "dcdm")]
    [TestCase("flat-cells", "compact", "pcg-mg")]
    [TestCase("graded-channel", "full", "dcdm")]
    public void ProblemsWithFaceCoefficientsSolveWithTheMultigridMethods(string domain, string layout, string method)
    {
        string dir = TestData.TempFolder();
        var (code, _, error) = Run("generate", "--domain", domain, "--size", "12", "--layout", layout, "-o", dir);
        Assert.That(code, Is.EqualTo(0), error);
        string x = Path.Combine(dir, "x.mtx");
        var args = new List<string> { "solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", method, "--tol", "1e-8", "--out", x };
        if (layout == "compact") args.AddRange(["--flags", Path.Combine(dir, "flags.bin")]);
        var solve = Run([.. args]);
        Assert.That(solve.code, Is.EqualTo(0), solve.error + solve.output);
        Assert.That(solve.output, Does.Contain("status      Converged"));
        Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
    }

    /// <summary>Flat cells from the file alone: the strong axis found from the faces, the solve's levels line says the
    /// lines run, in a few iterations; the header names the aspect (and two-phase's density ratio).</summary>
    [TestCase("flat-cells", "20", "10", "--aspect 10", 5)]
    [TestCase("two-phase", "16", "4", "--density-ratio 1000 --aspect 4", 8)]
    [TestCase("graded-channel", "20", "32", "--aspect 32", 5)]
    public void FlatCellsSolveByLinesInAFewIterations(string domain, string size, string aspect, string header, int most)
    {
        string dir = TestData.TempFolder();
        var (code, _, error) = Run("generate", "--domain", domain, "--size", size, "--aspect", aspect, "-o", dir);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadLines(Path.Combine(dir, "A.mtx")).Take(3), Has.Some.Contain(header));
        var solve = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", "dcdm");
        Assert.That(solve.code, Is.EqualTo(0), solve.error + solve.output);
        Assert.That(solve.output, Does.Contain("status      Converged").And.Contain("lines along z relaxed whole"));
        int iterations = int.Parse(solve.output.Split('\n').First(l => l.StartsWith("iterations")).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]);
        Assert.That(iterations, Is.LessThanOrEqualTo(most));
    }

    /// <summary>The graded channel's wall cells are 8x flatter unless --aspect says otherwise, and the header says which.</summary>
    [Test]
    public void TheGradedChannelsHeaderNamesItsWallCellsAspect()
    {
        string dir = TestData.TempFolder();
        var (code, _, error) = Run("generate", "--domain", "graded-channel", "--size", "12", "-o", dir);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadLines(Path.Combine(dir, "A.mtx")).Take(3), Has.Some.Contain("--domain graded-channel").And.Some.Contain("--aspect 8"));
        var a = MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx"));
        Assert.That(a.Values.Where(v => v < 0).Min(), Is.EqualTo(-2 / (1 / 8.0 + Math.Pow(8, 1 / 5.0) / 8)).Within(1e-9),
            "the strongest coupling: the z face between the two wall layers (dz 1/8 and 8^(1/5) / 8 on 12 layers)");
    }

    /// <summary>--interface-width reaches the generator: the header names it and the matrix has faces between the phases'
    /// coefficients (-1/1000 and -1 off the diagonal), which the sharp interface's has not.</summary>
    [Test]
    public void TheInterfaceWidthSmearsTheDensityInTheWrittenMatrix()
    {
        int Graded(string dir) => MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx")).Values.Count(v => v < -2.0 / 1001 * 1.01 && v > -0.98);
        string sharp = TestData.TempFolder(), smeared = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "two-phase", "--size", "16", "-o", sharp).code, Is.EqualTo(0));
        var (code, _, error) = Run("generate", "--domain", "two-phase", "--size", "16", "--interface-width", "1.5", "-o", smeared);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadLines(Path.Combine(smeared, "A.mtx")).Take(3), Has.Some.Contain("--density-ratio 1000 --interface-width 1.5"));
        Assert.That(File.ReadLines(Path.Combine(sharp, "A.mtx")).Take(3), Has.None.Contain("--interface-width"));
        Assert.That(Graded(sharp), Is.Zero);
        Assert.That(Graded(smeared), Is.GreaterThan(200));
    }

    /// <summary>The cut-cell rock's knobs from the command line: --solid-fraction (of the cells' centres; 0.65 by default)
    /// and --wavelength (8): the header names them, more solid leaves fewer unknowns, and dcdm solves the narrower rock.</summary>
    [Test]
    public void TheCutCellRockTakesItsSolidFractionAndWavelength()
    {
        string plain = TestData.TempFolder(), narrow = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "cut-cell-rock", "--size", "16", "--layout", "compact", "-o", plain).code, Is.EqualTo(0));
        var (code, _, error) = Run("generate", "--domain", "cut-cell-rock", "--size", "16", "--layout", "compact", "--solid-fraction", "0.75", "--wavelength", "6", "-o", narrow);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.ReadLines(Path.Combine(narrow, "A.mtx")).Take(3), Has.Some.Contain("--solid-fraction 0.75 --wavelength 6"));
        Assert.That(File.ReadLines(Path.Combine(plain, "A.mtx")).Take(3), Has.None.Contain("--wavelength"));
        static int Rows(string dir) => MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx")).Rows;
        Assert.That(Rows(narrow), Is.LessThan(Rows(plain)), "more solid, fewer unknowns");
        string sameSolid = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "cut-cell-rock", "--size", "16", "--layout", "compact", "--solid-fraction", "0.75", "-o", sameSolid).code, Is.EqualTo(0));
        static double[] Values(string dir) => MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx")).Values;
        Assert.That(Values(narrow), Is.Not.EqualTo(Values(sameSolid)), "the wavelength reaches the rock");
        var solve = Run("solve", Path.Combine(narrow, "A.mtx"), "--rhs", Path.Combine(narrow, "b.mtx"), "--flags", Path.Combine(narrow, "flags.bin"), "--method", "dcdm");
        Assert.That(solve.code, Is.EqualTo(0), solve.error + solve.output);
        Assert.That(solve.output, Does.Contain("status      Converged"));
    }

    /// <summary>The carved rock's knobs: --solid-fraction (0.8 by default) and --wavelength (8) reach the rock and its file's header.</summary>
    [Test]
    public void TheCarvedRockTakesItsSolidFractionAndWavelength()
    {
        string plain = TestData.TempFolder(), open = TestData.TempFolder(), finer = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "carved", "--size", "16", "--layout", "compact", "-o", plain).code, Is.EqualTo(0));
        Assert.That(Run("generate", "--domain", "carved", "--size", "16", "--layout", "compact", "--solid-fraction", "0.6", "-o", open).code, Is.EqualTo(0));
        Assert.That(Run("generate", "--domain", "carved", "--size", "16", "--layout", "compact", "--wavelength", "5", "-o", finer).code, Is.EqualTo(0));
        static Dcdm.Sparse.CsrMatrix Read(string dir) => MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx"));
        Assert.That(Read(open).Rows, Is.GreaterThan(Read(plain).Rows), "less solid, more unknowns");
        Assert.That(Read(finer).ColumnIndices, Is.Not.EqualTo(Read(plain).ColumnIndices), "the wavelength reaches the rock");
        Assert.That(File.ReadLines(Path.Combine(open, "A.mtx")).Take(3), Has.Some.Contain("--domain carved").And.Some.Contain("--solid-fraction 0.6"));
        Assert.That(File.ReadLines(Path.Combine(finer, "A.mtx")).Take(3), Has.Some.Contain("--wavelength 5"));
        Assert.That(File.ReadLines(Path.Combine(plain, "A.mtx")).Take(3), Has.None.Contain("--solid-fraction"));
    }

    /// <summary>The bead pack's --solid-fraction reaches it, and the header names the given --solid-fraction, --fill and --spheres.</summary>
    [Test]
    public void TheBeadPackTakesItsSolidFractionAndTheHeaderNamesTheOptionsGiven()
    {
        string plain = TestData.TempFolder(), open = TestData.TempFolder(), tank = TestData.TempFolder(), spheres = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "beads", "--size", "16", "--layout", "compact", "-o", plain).code, Is.EqualTo(0));
        Assert.That(Run("generate", "--domain", "beads", "--size", "16", "--layout", "compact", "--solid-fraction", "0.4", "-o", open).code, Is.EqualTo(0));
        Assert.That(Run("generate", "--domain", "tank", "--size", "8", "--fill", "0.3", "-o", tank).code, Is.EqualTo(0));
        Assert.That(Run("generate", "--domain", "spheres", "--size", "8", "--spheres", "3", "-o", spheres).code, Is.EqualTo(0));
        static Dcdm.Sparse.CsrMatrix Read(string dir) => MatrixMarketReader.ReadMatrix(Path.Combine(dir, "A.mtx"));
        static IEnumerable<string> Header(string dir) => File.ReadLines(Path.Combine(dir, "A.mtx")).Take(3);
        Assert.That(Read(open).Rows, Is.GreaterThan(Read(plain).Rows), "less solid, more unknowns");
        Assert.That(Header(open), Has.Some.Contain("--solid-fraction 0.4"));
        Assert.That(Header(tank), Has.Some.Contain("--fill 0.3"));
        Assert.That(Header(spheres), Has.Some.Contain("--spheres 3"));
    }

    /// <summary>Two-phase, cut-cell and ghost-fluid on cubic cells unless --aspect is given: the header names none.</summary>
    [Test]
    public void TheFamiliesAreOnCubicCellsByDefault()
    {
        string dir = TestData.TempFolder();
        Assert.That(Run("generate", "--domain", "two-phase", "--size", "8", "-o", dir).code, Is.EqualTo(0));
        Assert.That(File.ReadLines(Path.Combine(dir, "A.mtx")).Take(3), Has.None.Contain("--aspect"));
    }

    [Test]
    public void AMatrixThatIsNoPressureOperatorIsRefusedByPcgMgWithItsRow()
    {
        string path = Path.Combine(TestData.TempFolder(), "A.mtx");
        // 2^3 cells; cells 1 and 2 couple with a positive entry: SPD, but no pressure operator
        File.WriteAllText(path, "%%MatrixMarket matrix coordinate real symmetric\n8 8 3\n1 1 2\n2 1 1\n2 2 2\n");
        var (code, _, error) = Run("solve", path, "--method", "pcg-mg");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("row 1: a positive off-diagonal 1 at column 2").And.Contain("pcg-ic0"));
        Assert.That(Run("solve", path, "--method", "cg").code, Is.EqualTo(0), "cg solves it as a sparse SPD matrix");
    }

    [TestCase("box", "full")]
    [TestCase("spheres", "full")]
    [TestCase("obstacles", "compact")]
    [TestCase("tank", "full")]
    [TestCase("smoke", "compact")]
    public void GeneratedProblemsSolve(string domain, string layout)
    {
        string dir = TestData.TempFolder();
        var (code, output, error) = Run("generate", "--domain", domain, "--size", "12,10,8", "--layout", layout, "-o", dir);
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("A.mtx"));
        Assert.That(File.Exists(Path.Combine(dir, "flags.bin")), Is.True);
        string x = Path.Combine(dir, "x.mtx");
        var solve = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--tol", "1e-8", "--out", x);
        Assert.That(solve.code, Is.EqualTo(0), solve.error + solve.output);
        Assert.That(solve.output, Does.Contain("status      Converged"));
        Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
    }

    [Test]
    public void InfoListsVersionsAndAccelerators()
    {
        var (code, output, _) = Run("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("threads").And.Contain("accelerator").And.Contain("torchsharp  not part of dcdm"));
        (code, output, _) = RunTrain("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Contain("dcdm-train").And.Contain("libtorch loads"));
    }
}

public class CliDeviceTests
{
    [Test]
    public void DeviceGpuWithoutAGpuExitsWithTwoAndAutoFallsBackToTheCpu()
    {
        bool hasGpu;
        try { using var d = Dcdm.Gpu.Devices.GpuDevice.Open(Dcdm.Gpu.Devices.DeviceKind.Gpu); hasGpu = true; }
        catch (Dcdm.Gpu.Devices.NoGpuException) { hasGpu = false; }
        var output = new StringWriter(); var error = new StringWriter();
        int code = DcdmApp.RunAsync(["solve", TestData.Matrix("nos6.mtx"), "--method", "cg", "--device", "gpu"], new CliConsole(output, error, false)).GetAwaiter().GetResult();
        if (hasGpu) Assert.That(code, Is.EqualTo(0), error.ToString());
        else
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("no CUDA or OpenCL GPU"));
        }
        var auto = DcdmApp.RunAsync(["solve", TestData.Matrix("nos6.mtx"), "--device", "auto"], new CliConsole(new StringWriter(), new StringWriter(), false)).GetAwaiter().GetResult();
        Assert.That(auto, Is.EqualTo(0));
        var ic0 = DcdmApp.RunAsync(["solve", TestData.Matrix("nos6.mtx"), "--method", "pcg-ic0", "--device", "gpu"], new CliConsole(new StringWriter(), error, false)).GetAwaiter().GetResult();
        Assert.That(ic0, Is.EqualTo(2));
    }
}
