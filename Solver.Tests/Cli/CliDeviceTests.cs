using System.Globalization;
using System.Text.Json;
using Dcdm.Cli;
using Dcdm.MatrixMarket;

namespace Dcdm.Tests.Cli;

/// <summary>dcdm bench on ILGPU's CPU accelerator: what the GPU run will print, at a size the emulator can afford.</summary>
public class CliBenchTests
{
    [TestCase(8)]
    [TestCase(6)] // rows padded to 8 cells, as the grid solver runs them
    public void DeviceBenchTimesKernelsOnBothClocksAndItsChecksAndSolvesPass(int size)
    {
        const string optimization = "O2"; // the CPU accelerator runs the IL at either level
        var output = new StringWriter(); var error = new StringWriter();
        int code = DcdmApp.RunAsync(["bench", "--device", "ilgpu-cpu", "--size", $"{size}", "--domain", "obstacles", "--repeat", "1", "--optimization", optimization, "--json"],
            new CliConsole(output, error, false)).GetAwaiter().GetResult();
        Assert.That(code, Is.EqualTo(0), error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        Assert.That(json.RootElement.GetProperty("setup").GetString(), Does.EndWith($"ILGPU {optimization}"));
        var rows = json.RootElement.GetProperty("measurements").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r);
        foreach (string kernel in new[] { "copy fp32, driver (device to device)", "stencil fp32, columns of 4, vectorized",
                                          "grid cg half 1 (p, Ap, p.Ap, d), vectorized", "grid cg half 2 (r, r.r), vectorized", "grid cg step, both halves, vectorized", "csr spmv, thread per row" })
        {
            var row = rows[kernel];
            double host = row.GetProperty("seconds").GetDouble(), device = row.GetProperty("deviceSeconds").GetDouble();
            Assert.That(host, Is.GreaterThan(0), kernel);
            Assert.That(device, Is.GreaterThan(0), kernel); // both clocks ran; how they compare is not a test's business
            Assert.That(row.GetProperty("gigabytesPerSecond").GetDouble(), Is.GreaterThan(0), kernel);
        }

        string note = rows["stencil fp32 vectorized, check against the host"].GetProperty("note").GetString()!;
        double error1 = double.Parse(note[(note.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture);
        Assert.That(error1, Is.LessThan(1e-6));

        Assert.That(rows["grid cg step check"].GetProperty("note").GetString(), Does.StartWith("the timed steps did their work"));
        Assert.That(rows["gpu grid cg iteration (device loop)"].GetProperty("note").GetString(), Does.EndWith("Converged"));
        Assert.That(rows["gpu dcdm iteration (stencil model)"].GetProperty("note").GetString(), Does.EndWith("Converged"));
        Assert.That(rows["gpu dcdm iteration (kcycle model)"].GetProperty("note").GetString(), Does.EndWith("Converged"));

        // the geometric multigrid's kernels and V-cycle (the vcycle model's), pcg-mg's solve, set-up + solve beside the grid CG's of the same run
        foreach (string kernel in new[] { "mg red-black sweep, finest level", "mg residual, finest level", "mg restriction to level 1",
                                          "mg prolong and add from level 1", "mg geometric V-cycle (float32, the vcycle model's)" })
            Assert.That(rows[kernel].GetProperty("deviceSeconds").GetDouble(), Is.GreaterThan(0), kernel);
        Assert.That(rows["gpu pcg-mg iteration (device loop)"].GetProperty("note").GetString(), Does.EndWith("Converged"));
        Assert.That(rows["gpu pcg-mg set-up + solve"].GetProperty("note").GetString(), Does.Contain("of the grid cg's set-up + solve in this run"));
        Assert.That(rows["gpu grid cg set-up + solve"].GetProperty("seconds").GetDouble(), Is.GreaterThan(0));
    }
}

/// <summary>dcdm solve --method cg on the device: voxel matrices go to the matrix-free grid CG, the compact layout with --flags.</summary>
public class CliGridCgTests
{
    static (int code, string output, string error) Run(params string[] args)
    {
        var output = new StringWriter(); var error = new StringWriter();
        int code = DcdmApp.RunAsync(args, new CliConsole(output, error, false)).GetAwaiter().GetResult();
        return (code, output.ToString(), error.ToString());
    }

    [TestCase("compact")]
    [TestCase("full")]
    public void AVoxelMatrixRunsTheGridSolverAndItsXSolvesTheFile(string layout)
    {
        string dir = Path.Combine(TestData.TempFolder(), layout);
        Assert.That(Run("generate", "--domain", "obstacles", "--size", "10", "--layout", layout, "-o", dir).code, Is.EqualTo(0));
        string a = Path.Combine(dir, "A.mtx"), b = Path.Combine(dir, "b.mtx"), x = Path.Combine(dir, "x.mtx");
        var args = new List<string> { "solve", a, "--rhs", b, "--method", "cg", "--device", "ilgpu-cpu", "--tol", "1e-8", "--out", x, "--json" };
        if (layout == "compact") args.AddRange(["--flags", Path.Combine(dir, "flags.bin")]);
        var (code, output, error) = Run(args.ToArray());
        Assert.That(code, Is.EqualTo(0), error + output);
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("method").GetString(), Does.StartWith("cg (grid"));
        double reported = json.RootElement.GetProperty("relativeResidual").GetDouble();
        Assert.That(reported, Is.LessThanOrEqualTo(1e-8));

        // the written x against the file's own matrix and b, on the host in double
        var matrix = MatrixMarketReader.ReadMatrix(a);
        var rhs = MatrixMarketReader.ReadVector(b);
        var solution = MatrixMarketReader.ReadVector(x);
        Assert.That(solution, Has.Length.EqualTo(matrix.Rows));
        var ax = new double[matrix.Rows];
        matrix.Multiply(solution, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < ax.Length; i++) if (matrix.RowHasNonZero(i)) { rr += (rhs[i] - ax[i]) * (rhs[i] - ax[i]); bb += rhs[i] * rhs[i]; }
        Assert.That(Math.Sqrt(rr / bb), Is.LessThanOrEqualTo(1.01e-8));

        var (cpuCode, cpuOutput, _) = Run("solve", a, "--rhs", b, "--method", "cg", "--tol", "1e-8", "--json");
        Assert.That(cpuCode, Is.EqualTo(0));
        using var cpu = JsonDocument.Parse(cpuOutput);
        int gpuIterations = json.RootElement.GetProperty("iterations").GetInt32(), cpuIterations = cpu.RootElement.GetProperty("iterations").GetInt32();
        Assert.That(gpuIterations, Is.InRange(cpuIterations * 0.8, cpuIterations * 1.3 + 3), $"grid {gpuIterations}, cpu {cpuIterations}");
    }

    [Test]
    public void PcgMgRunsOnTheDeviceAndItsXSolvesTheFile()
    {
        using var json = SolvedOnTheDevice("tank", "pcg-mg");
        Assert.That(json.RootElement.GetProperty("method").GetString(), Does.StartWith("pcg-mg (grid"));
        Assert.That(json.RootElement.GetProperty("iterations").GetInt32(), Is.LessThanOrEqualTo(15));
    }

    /// <summary>A two-phase file (per-face coefficients) with --device: DCDM runs there with the operator's K-cycle, and its x solves the file.</summary>
    [Test]
    public void DcdmRunsOnTheDeviceOnPerFaceCoefficientsAndItsXSolvesTheFile()
    {
        using var json = SolvedOnTheDevice("two-phase", "dcdm");
        Assert.That(json.RootElement.GetProperty("method").GetString(), Is.EqualTo("dcdm"));
        var details = json.RootElement.GetProperty("details");
        Assert.That(details.GetProperty("model").GetString(), Does.Contain("without an SOR weight").And.Contain("(on "));
        Assert.That(details.TryGetProperty("device", out _), Is.True, json.RootElement.ToString());
        Assert.That(json.RootElement.GetProperty("iterations").GetInt32(), Is.LessThanOrEqualTo(15));
    }

    /// <summary>
    /// `dcdm solve --device ilgpu-cpu` with the method on a generated 10^3 system of the domain (compact, with its flags)
    /// to 1e-8: its JSON, once its x, read back from the file it wrote, solves the matrix file to that tolerance.
    /// </summary>
    static JsonDocument SolvedOnTheDevice(string domain, string method)
    {
        string dir = Path.Combine(TestData.TempFolder(), $"{method}-{domain}");
        Assert.That(Run("generate", "--domain", domain, "--size", "10", "--layout", "compact", "-o", dir).code, Is.EqualTo(0));
        string a = Path.Combine(dir, "A.mtx"), b = Path.Combine(dir, "b.mtx"), x = Path.Combine(dir, "x.mtx");
        var (code, output, error) = Run("solve", a, "--rhs", b, "--method", method, "--device", "ilgpu-cpu", "--flags", Path.Combine(dir, "flags.bin"),
            "--tol", "1e-8", "--out", x, "--json");
        Assert.That(code, Is.EqualTo(0), error + output);
        var matrix = MatrixMarketReader.ReadMatrix(a);
        var rhs = MatrixMarketReader.ReadVector(b);
        var solution = MatrixMarketReader.ReadVector(x);
        var ax = new double[matrix.Rows];
        matrix.Multiply(solution, ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < ax.Length; i++) { rr += (rhs[i] - ax[i]) * (rhs[i] - ax[i]); bb += rhs[i] * rhs[i]; }
        Assert.That(Math.Sqrt(rr / bb), Is.LessThanOrEqualTo(1.01e-8));
        return JsonDocument.Parse(output);
    }

    /// <summary>cg with --device on per-face coefficients: the device's CSR CG with the file's own flags (checked, not
    /// refused as a grid they are not), and a --grid the matrix does not fit refused as on the CPU.</summary>
    [Test]
    public void DeviceCgTakesAPerFaceMatrixWithItsFlagsAndChecksItsGrid()
    {
        string dir = Path.Combine(TestData.TempFolder(), "cg-cut-cell");
        Assert.That(Run("generate", "--domain", "cut-cell", "--size", "10", "-o", dir).code, Is.EqualTo(0));
        string a = Path.Combine(dir, "A.mtx");
        var (code, output, error) = Run("solve", a, "--rhs", Path.Combine(dir, "b.mtx"), "--flags", Path.Combine(dir, "flags.bin"), "--method", "cg",
            "--device", "ilgpu-cpu", "--tol", "1e-8");
        Assert.That(code, Is.EqualTo(0), error + output);
        (code, _, error) = Run("solve", a, "--method", "cg", "--device", "ilgpu-cpu", "--grid", "5,10,20");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("5x10x20").And.Contain("leave out --grid"));
    }

    [Test]
    public void FlagsThatDoNotFitTheMatrixAreAUsageError()
    {
        string dir = Path.Combine(TestData.TempFolder(), "mismatch");
        Assert.That(Run("generate", "--domain", "tank", "--size", "8", "--layout", "compact", "-o", dir).code, Is.EqualTo(0));
        var (code, _, error) = Run("solve", TestData.Matrix("nos6.mtx"), "--method", "cg", "--device", "ilgpu-cpu", "--flags", Path.Combine(dir, "flags.bin"));
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error, Does.Contain("nos6.mtx").And.Contain("leave out --flags"));
    }
}

