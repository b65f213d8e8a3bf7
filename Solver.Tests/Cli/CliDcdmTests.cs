using Dcdm.Models;
using System.Text.Json;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Cli;

public class CliDcdmTests
{
    [Test]
    public void DcdmWithTheShippedModelSolvesAGeneratedGridAndAFlagsFileGivesTheCompactLayout()
    {
        string folder = TestData.TempFolder();
        foreach (var layout in new[] { "full", "compact" })
        {
            string dir = Path.Combine(folder, layout);
            Assert.That(Run("generate", "--domain", "tank", "--size", "12", "--layout", layout, "-o", dir).code, Is.EqualTo(0));
            string x = Path.Combine(dir, "x.mtx");
            var args = new List<string> { "solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", "dcdm", "--tol", "1e-8", "--json", "--out", x };
            if (layout == "compact") args.AddRange(["--flags", Path.Combine(dir, "flags.bin")]);
            var (code, output, error) = Run(args.ToArray());
            Assert.That(code, Is.EqualTo(0), error + output);
            using var json = JsonDocument.Parse(output);
            Assert.That(json.RootElement.GetProperty("method").GetString(), Is.EqualTo("dcdm"));
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("Converged"));
            Assert.That(json.RootElement.GetProperty("relativeResidual").GetDouble(), Is.LessThanOrEqualTo(1e-8));
            Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8), layout);
            Assert.That(json.RootElement.GetProperty("details").GetProperty("model").GetString(), Does.StartWith("kcycle"), "the CPU's default direction");
        }
    }

    [Test]
    public void DcdmReadsTheTwoDimensionalFluidMatrixsGridFromItsCouplings()
    {
        // 4096 rows, a cube, but its neighbours sit 1 and 64 rows apart: the 64 x 64 grid, which the n^3 guess is not
        string x = Path.Combine(TestData.TempFolder(), "x.mtx");
        var (code, output, error) = Run("solve", TestData.Matrix("fluid16_A.mtx"), "--rhs", TestData.Matrix("fluid16_b.mtx"), "--method", "dcdm", "--tol", "1e-8", "--out", x);
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("status      Converged").And.Contain("of 64x64x1"));
        Assert.That(IndependentResidual.OfFiles(TestData.Matrix("fluid16_A.mtx"), TestData.Matrix("fluid16_b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
        var (given, output2, error2) = Run("solve", TestData.Matrix("fluid16_A.mtx"), "--rhs", TestData.Matrix("fluid16_b.mtx"), "--method", "dcdm", "--grid", "64,64,1", "--tol", "1e-8", "--out", x);
        Assert.That(given, Is.EqualTo(0), error2 + output2);
        Assert.That(output2, Does.Contain("status      Converged"));
        Assert.That(IndependentResidual.OfFiles(TestData.Matrix("fluid16_A.mtx"), TestData.Matrix("fluid16_b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
        (code, _, error) = Run("solve", TestData.Matrix("fluid16_A.mtx"), "--rhs", TestData.Matrix("fluid16_b.mtx"), "--method", "dcdm", "--grid", "16,16,16");
        Assert.That(code, Is.EqualTo(2), "a --grid the matrix does not fit is refused, not replaced by the couplings' grid");
        Assert.That(error, Does.Contain("pcg-ic0"));
    }

    [TestCase("obstacles", "pcg-mg")]
    [TestCase("obstacles", "dcdm")]
    [TestCase("two-phase", "dcdm")] // per-face coefficients: the operator's path
    public void ABoxThatIsNotACubeIsReadFromTheMatrixWithoutGrid(string domain, string method)
    {
        string dir = Path.Combine(TestData.TempFolder(), domain);
        Assert.That(Run("generate", "--domain", domain, "--size", "12,8,6", "--layout", "full", "--seed", "3", "-o", dir).code, Is.EqualTo(0));
        string x = Path.Combine(dir, "x.mtx");
        var (code, output, error) = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", method, "--tol", "1e-8", "--out", x);
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("status      Converged").And.Contain("12x8x6"));
        Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
    }

    [Test]
    public void APeriodicMatrixIsRefusedNamingTheGridTried()
    {
        // periodic along x: cell (0, y, z) couples to (7, y, z), 7 rows apart, no face neighbour of any box
        string dir = TestData.TempFolder();
        string path = Path.Combine(dir, "periodic.mtx");
        var rows = new List<(int, int, double)>();
        const int n = 8;
        for (int i = 0; i < n * n * n; i++)
        {
            int x = i % n, y = i / n % n, z = i / (n * n);
            int right = (x + 1) % n + n * (y + n * z);
            rows.Add((Math.Max(i, right), Math.Min(i, right), -1));
            if (y > 0) rows.Add((i, i - n, -1));
            if (z > 0) rows.Add((i, i - n * n, -1));
            rows.Add((i, i, 2 + (y > 0 ? 1 : 0) + (y < n - 1 ? 1 : 0) + (z > 0 ? 1 : 0) + (z < n - 1 ? 1 : 0) + (i == 0 ? 1 : 0)));
        }
        File.WriteAllLines(path, new[] { "%%MatrixMarket matrix coordinate real symmetric", $"{n * n * n} {n * n * n} {rows.Count}" }
            .Concat(rows.Select(r => FormattableString.Invariant($"{r.Item1 + 1} {r.Item2 + 1} {r.Item3}"))));
        var (code, _, error) = Run("solve", path, "--method", "pcg-mg");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("as a 8x8x8 grid").And.Contain("--grid nx,ny,nz").And.Contain("pcg-ic0"));
        Assert.That(Run("solve", path, "--method", "pcg-ic0").code, Is.EqualTo(0), "the general solvers take it");
    }

    [Test]
    public void ANonGridMatrixGetsAdviceAndBadGridTextIsUsage()
    {
        var (code, _, error) = Run("solve", TestData.Matrix("nos6.mtx"), "--method", "dcdm");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("nos6.mtx").And.Contain("use --method cg or pcg-ic0").And.Contain("not n^3 and its couplings name no box"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        (code, _, error) = Run("solve", TestData.Matrix("nos6.mtx"), "--method", "dcdm", "--grid", "6,x,3");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("--grid"));
    }

    /// <summary>
    /// What --flags, --grid, --model and --k say is checked whatever the method, with one line naming the option and
    /// the fix: flags of another geometry, a missing flags file, a --grid the flags contradict, a model or k for a method
    /// that takes none (each was silently ignored, and wrong flags solved the matrix as if they fitted).
    /// </summary>
    [TestCase("pcg-mg", "rocks-flags", "has an equation, but --flags")]
    [TestCase("pcg-ic0", "rocks-flags", "has an equation, but --flags")]
    [TestCase("dcdm", "compact-rocks-flags", "a matrix with these flags has one row per cell or one per fluid cell")]
    [TestCase("pcg-ic0", "missing-flags", "--flags")]
    [TestCase("pcg-mg", "grid-and-flags", "disagree; leave out --grid")]
    [TestCase("cg", "model", "--model vcycle: a direction model is DCDM's")]
    [TestCase("pcg-mg", "k", "--k 5: the previous directions are DCDM's")]
    public void SolveChecksWhatItsOptionsSayOfTheMatrix(string method, string wrong, string expected)
    {
        string dir = TestData.TempFolder();
        foreach (var (domain, layout) in new[] { ("tank", "full"), ("tank", "compact"), ("rocks", "full") })
            Assert.That(Run("generate", "--domain", domain, "--size", "12", "--layout", layout, "-o", Path.Combine(dir, $"{domain}-{layout}")).code, Is.EqualTo(0));
        string full = Path.Combine(dir, "tank-full", "A.mtx"), rocks = Path.Combine(dir, "rocks-full", "flags.bin");
        string[] args = wrong switch
        {
            "rocks-flags" => [full, "--flags", rocks],
            "compact-rocks-flags" => [Path.Combine(dir, "tank-compact", "A.mtx"), "--flags", rocks],
            "missing-flags" => [full, "--flags", Path.Combine(dir, "none.bin")],
            "grid-and-flags" => [full, "--flags", Path.Combine(dir, "tank-full", "flags.bin"), "--grid", "6,12,24"],
            "model" => [full, "--model", "vcycle"],
            _ => [full, "--k", "5"],
        };
        var (code, output, error) = Run(["solve", .. args, "--method", method]);
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.Contain(expected));
        // the right flags and no stray option: solved
        (code, output, error) = Run("solve", full, "--flags", Path.Combine(dir, "tank-full", "flags.bin"), "--method", method);
        Assert.That(code, Is.EqualTo(0), error + output);
    }

    /// <summary>A closed box (no air: singular) with a random b: the residual is of b less its part outside A's range, and
    /// the output says what b as given leaves (what x, read back, leaves against the file's b).</summary>
    [Test]
    public void ASingularSystemsResidualIsAlsoGivenAgainstTheFilesB()
    {
        string dir = Path.Combine(TestData.TempFolder(), "box");
        Assert.That(Run("generate", "--domain", "box", "--size", "8", "--rhs", "random", "-o", dir).code, Is.EqualTo(0));
        string a = Path.Combine(dir, "A.mtx"), b = Path.Combine(dir, "b.mtx"), x = Path.Combine(dir, "x.mtx");
        var (code, output, error) = Run("solve", a, "--rhs", b, "--method", "cg", "--out", x);
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("b' = b less its part outside A's range").And.Contain("against b as given"));
        (code, output, error) = Run("solve", a, "--rhs", b, "--method", "cg", "--out", x, "--json");
        using var json = JsonDocument.Parse(output);
        double given = json.RootElement.GetProperty("relativeResidualOfGivenB").GetDouble();
        var matrix = Dcdm.MatrixMarket.MatrixMarketReader.ReadMatrix(a);
        Assert.That(given, Is.EqualTo(ProductResidual.Relative(matrix, Dcdm.MatrixMarket.MatrixMarketReader.ReadVector(b), Dcdm.MatrixMarket.MatrixMarketReader.ReadVector(x)))
            .Within(1e-6).Percent);
        Assert.That(IndependentResidual.OfFiles(a, b, x), Is.LessThanOrEqualTo(1.01e-6), "of the projected b: the tolerance");
        Assert.That(given, Is.GreaterThan(1e-3), "a random b on a closed box has a part no x matches");

        // a divergence b is compatible: what the projection removes is rounding, and no second line is printed
        string compatible = Path.Combine(TestData.TempFolder(), "box-divergence");
        Assert.That(Run("generate", "--domain", "box", "--size", "8", "-o", compatible).code, Is.EqualTo(0));
        (code, output, error) = Run("solve", Path.Combine(compatible, "A.mtx"), "--rhs", Path.Combine(compatible, "b.mtx"), "--method", "cg");
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("(true, ||b - A x|| / ||b||").And.Not.Contain("against b as given"));
    }

    /// <summary>The same closed box with its random b times 1e+200 and 1e-200: the solve scales b to near 1 and x back, and
    /// the residual against b as given stays that of b near 1 (its squares, taken as they are, over- or underflowed).</summary>
    [TestCase(200)]
    [TestCase(-200)]
    public void ASingularSystemsGivenResidualHoldsForBFarFromOne(int decimalExponent)
    {
        string dir = Path.Combine(TestData.TempFolder(), $"box-far{decimalExponent}");
        Assert.That(Run("generate", "--domain", "box", "--size", "8", "--rhs", "random", "-o", dir).code, Is.EqualTo(0));
        string a = Path.Combine(dir, "A.mtx"), b = Path.Combine(dir, "b.mtx"), far = Path.Combine(dir, "far.mtx"), x = Path.Combine(dir, "x.mtx");
        double Given(string rhs)
        {
            var (code, output, error) = Run("solve", a, "--rhs", rhs, "--method", "cg", "--out", x, "--json");
            Assert.That(code, Is.EqualTo(0), error + output);
            using var json = JsonDocument.Parse(output);
            Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("Converged"));
            return json.RootElement.GetProperty("relativeResidualOfGivenB").GetDouble();
        }
        double near = Given(b);
        var scaled = Dcdm.MatrixMarket.MatrixMarketReader.ReadVector(b).Select(v => v * Math.Pow(10, decimalExponent)).ToArray();
        Dcdm.MatrixMarket.MatrixMarketWriter.WriteVector(far, scaled);
        Assert.That(Given(far), Is.EqualTo(near).Within(1e-6).Percent);
    }

    /// <summary>IC(0) whose pivots fail on an indefinite matrix: status NotPositiveDefinite and exit 4, as cg's breakdown, not a usage error.</summary>
    [Test]
    public void PcgIc0OnAnIndefiniteMatrixEndsWithNotPositiveDefinite()
    {
        string a = Path.Combine(TestData.TempFolder(), "indefinite.mtx");
        File.WriteAllText(a, "%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n1 1 1\n2 1 2\n2 2 1\n");
        var (code, output, error) = Run("solve", a, "--method", "pcg-ic0");
        Assert.That(code, Is.EqualTo(4), error + output);
        Assert.That(output, Does.Contain("status      NotPositiveDefinite: IC(0) failed"));
    }

    [Test]
    public void ModelInfoPrintsTheShippedModel()
    {
        var (code, output, error) = Run("model", "info", "vcycle");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("architecture  vcycle").And.Contain("relax.hidden.weight").And.Contain("training_grid").And.Contain("sweeps"));
        // dcdm's default direction is the classical K-cycle: no file, nothing learned (it showed the vcycle file)
        foreach (var name in new[] { "default", "kcycle", "kcycle:1:2" })
        {
            (code, output, error) = Run("model", "info", name);
            Assert.That(code, Is.EqualTo(0), error);
            Assert.That(output, Does.Contain("architecture  kcycle").And.Contain("parameters    0").And.Contain("file          none"), name);
            Assert.That(output, Does.Contain(((KCycleDirectionModel)(ShippedModels.Named(name) ?? ShippedModels.Default())).Description), name);
        }
        (code, output, error) = Run("model", "info", "stencil");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Contain("architecture  stencil").And.Contain("smooth.hidden.weight").And.Contain("data/models/stencil.safetensors (embedded)"));
        (code, _, error) = Run("model", "info", Path.Combine(TestData.TempFolder(), "missing.safetensors"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("missing.safetensors"));
    }

    [Test]
    public void GenerateDataAndTrainRunFromTheCommandLine()
    {
        string folder = TestData.TempFolder();
        var (code, output, error) = RunTrain("generate-data", "-o", Path.Combine(folder, "data"), "--size", "6", "--samples", "8", "--ritz", "20", "--theta", "2");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(File.Exists(Path.Combine(folder, "data", "manifest.json")));
        (code, output, error) = RunTrain("train", "--data", Path.Combine(folder, "data"), "-o", Path.Combine(folder, "run"), "--channels", "2", "--batch", "4", "--epochs", "1", "--lr", "1e-2");
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("model.safetensors"));
        (code, output, _) = Run("model", "info", Path.Combine(folder, "run", "model.safetensors"));
        Assert.That(output, Does.Contain("channels      2"));
    }

    [Test]
    public void AVoxelMatrixOnAnIlgpuDeviceUsesTheMatrixFreeGridSolver()
    {
        string dir = Path.Combine(TestData.TempFolder(), "tank");
        Assert.That(Run("generate", "--domain", "tank", "--size", "10", "--layout", "full", "-o", dir).code, Is.EqualTo(0));
        var (code, output, error) = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", "cg", "--device", "ilgpu-cpu", "--tol", "1e-8", "--json");
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("method").GetString(), Does.StartWith("cg (grid"));
        Assert.That(json.RootElement.GetProperty("relativeResidual").GetDouble(), Is.LessThanOrEqualTo(1e-8));
        string x = Path.Combine(dir, "x.mtx");
        (code, output, error) = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--method", "dcdm", "--device", "ilgpu-cpu", "--tol", "1e-8", "--json", "--out", x);
        Assert.That(code, Is.EqualTo(0), error + output);
        using var dcdm = JsonDocument.Parse(output);
        Assert.That(dcdm.RootElement.GetProperty("status").GetString(), Is.EqualTo("Converged"));
        Assert.That(dcdm.RootElement.GetProperty("details").GetProperty("device").GetString(), Does.StartWith("CPU"));
        Assert.That(dcdm.RootElement.GetProperty("relativeResidual").GetDouble(), Is.LessThanOrEqualTo(1e-8));
        Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));
    }

    [Test]
    public void PcgMgSolvesAVoxelFileAndRefusesAnyOtherMatrixNamingWhatApplies()
    {
        string dir = Path.Combine(TestData.TempFolder(), "mg");
        Assert.That(Run("generate", "--domain", "obstacles", "--size", "20,18,16", "--layout", "compact", "-o", dir).code, Is.EqualTo(0));
        string x = Path.Combine(dir, "x.mtx");
        var (code, output, error) = Run("solve", Path.Combine(dir, "A.mtx"), "--rhs", Path.Combine(dir, "b.mtx"), "--flags", Path.Combine(dir, "flags.bin"),
            "--method", "pcg-mg", "--tol", "1e-8", "--out", x, "--json");
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("method").GetString(), Is.EqualTo("pcg-mg"));
        Assert.That(json.RootElement.GetProperty("iterations").GetInt32(), Is.LessThanOrEqualTo(20));
        Assert.That(IndependentResidual.OfFiles(Path.Combine(dir, "A.mtx"), Path.Combine(dir, "b.mtx"), x), Is.LessThanOrEqualTo(1.01e-8));

        // the shipped free-surface matrix (full-grid layout, its grid rebuilt from the matrix)
        var tank = Run("solve", TestData.Matrix("tank32_A.mtx.gz"), "--rhs", TestData.Matrix("tank32_b.mtx.gz"), "--method", "pcg-mg", "--json");
        Assert.That(tank.code, Is.EqualTo(0), tank.error);
        Assert.That(JsonDocument.Parse(tank.output).RootElement.GetProperty("iterations").GetInt32(), Is.LessThanOrEqualTo(15));

        (code, _, error) = Run("solve", TestData.Matrix("nos6.mtx"), "--method", "pcg-mg");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("nos6.mtx").And.Contain("use --method cg or pcg-ic0").And.Contain("not n^3 and its couplings name no box"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
    }
}
