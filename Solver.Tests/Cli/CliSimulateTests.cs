using System.Globalization;
using Dcdm.Cli.Commands;
using Dcdm.MatrixMarket;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Cli;

/// <summary>dcdm simulate: the per-step table, frames and dumped systems a user asked for.</summary>
public class CliSimulateTests
{
    [TestCase("smoke", "pcg-mg")]
    [TestCase("liquid", "dcdm")]
    [TestCase("cut-cell", "dcdm")]
    public void SimulateWritesTheStepTableFramesAndTheDumpedSystem(string example, string method)
    {
        string folder = Path.Combine(TestData.TempFolder(), "run");
        var (code, output, error) = Run("simulate", example, "--size", "16", "--steps", "3", "--method", method, "--out", folder, "--frame-every", "2", "--dump-steps", "1");
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output, Does.Contain("step    2:").And.Contain("divergence after projection"));

        var lines = File.ReadAllLines(Path.Combine(folder, "steps.csv"));
        Assert.That(lines[0], Is.EqualTo(SimulateCommand.CsvHeader));
        Assert.That(lines[0].Split(','), Is.EqualTo(new[]
            { "step", "dt_s", "unknowns", "iterations", "status", "setup_s", "rebind_s", "rebuilt", "solve_s", "div_before_l2", "div_after_l2", "div_relative_l2" }));
        Assert.That(lines, Has.Length.EqualTo(4), "a header and one row per step");
        for (int i = 1; i < lines.Length; i++)
        {
            var row = lines[i].Split(',');
            Assert.That(row, Has.Length.EqualTo(12));
            Assert.That(int.Parse(row[0], CultureInfo.InvariantCulture), Is.EqualTo(i - 1));
            Assert.That(row[4], Is.EqualTo("Converged"));
            double before = double.Parse(row[9], CultureInfo.InvariantCulture), after = double.Parse(row[10], CultureInfo.InvariantCulture);
            Assert.That(before, Is.GreaterThan(0));
            Assert.That(after, Is.LessThanOrEqualTo(1e-5 * before), lines[i]);
        }
        Assert.That(lines[1].Split(',')[7], Is.EqualTo("1"), "the first step sets the solver up");

        foreach (string frame in new[] { "frame0000.png", "frame0002.png" })
        {
            var png = File.ReadAllBytes(Path.Combine(folder, frame));
            Assert.That(png.Take(4), Is.EqualTo(new byte[] { 137, 80, 78, 71 }), $"{frame} is a PNG");
        }
        // the dumped system: A is the flags' operator, b is zero off the fluid cells and has step 1's divergence
        var grid = CellFlagsFile.Read(Path.Combine(folder, "step1_flags.bin"));
        var a = MatrixMarketReader.ReadMatrix(Path.Combine(folder, "step1_A.mtx"));
        var b = MatrixMarketReader.ReadVector(Path.Combine(folder, "step1_b.mtx"));
        Assert.That(a.Rows, Is.EqualTo(16 * 16 * 16));
        if (example == "cut-cell") // fractions on the faces: a voxel operator, not the flags' unit one (the flags mark its unknowns)
        {
            Assert.That(VoxelOperator.Recognise(a, 16, 16, 16, null, out string reason), Is.Not.Null, reason);
            Assert.That(GridOperatorMatch.Matches(grid, a, GridMatrixLayout.FullGrid, out _), Is.False);
            Assert.That(a.Values.Any(v => v < 0 && v > -1), Is.True, "fractional faces");
        }
        else Assert.That(GridOperatorMatch.Matches(grid, a, GridMatrixLayout.FullGrid, out string why), Is.True, why);
        Assert.That(grid.FluidCount, Is.EqualTo(int.Parse(lines[2].Split(',')[2], CultureInfo.InvariantCulture)));
        double norm = 0;
        for (int c = 0; c < b.Length; c++)
        {
            if (grid.Cells[c] != CellType.Fluid) Assert.That(b[c], Is.Zero);
            norm += b[c] * b[c];
        }
        Assert.That(Math.Sqrt(norm), Is.EqualTo(double.Parse(lines[2].Split(',')[9], CultureInfo.InvariantCulture)).Within(0.01).Percent, "b = -div u of step 1 (five digits in the table)");
    }

    /// <summary>The pressure solves on a device (ILGPU's CPU emulator here): a grid's each step (liquid: the domain changes)
    /// and per-face coefficients (cut-cell), each converged and named by the device.</summary>
    [TestCase("liquid", "dcdm")]
    [TestCase("cut-cell", "dcdm")]
    [TestCase("cut-cell", "pcg-mg")]
    public void SimulateRunsItsPressureSolvesOnADevice(string example, string method)
    {
        var (code, output, error) = Run("simulate", example, "--size", "8", "--steps", "2", "--method", method, "--device", "ilgpu-cpu");
        Assert.That(code, Is.EqualTo(0), error + output);
        Assert.That(output.Split('\n')[0].TrimEnd(), Does.EndWith($"pressure by {method} (tol 1e-06) on CPU CPUAccelerator"), "the device, by its name");
        Assert.That(output, Does.Contain("step    1:").And.Contain("0 of 2 solves not converged"));
    }

    [TestCase("--device", "gpu", "--device cpu")]
    [TestCase("--dump-steps", "2", "needs --out")]
    public void SimulateRefusesWhatItCannotDoWithOneLineNamingTheFix(string option, string value, string fix)
    {
        var (code, _, error) = Run("simulate", "smoke", "--size", "8", "--steps", "1", option, value);
        Assert.That(code, Is.EqualTo(2));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.Contain(fix));
    }
}
