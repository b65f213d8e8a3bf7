using System.Diagnostics;
using System.Text.Json;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Cli;

/// <summary>The rough inputs a new user tried (the shipping issue's table): each gets one clear line and its exit code.</summary>
public class RoughInputTests
{
    static string Write(string name, string text)
    {
        string path = Path.Combine(TestData.TempFolder(), name);
        File.WriteAllText(path, text);
        return path;
    }

    static void AssertOneLine(string error, params string[] words)
    {
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        foreach (var w in words) Assert.That(error, Does.Contain(w));
        Assert.That(error, Does.Not.Contain("internal error").And.Not.Contain("   at "));
    }

    [Test]
    public void ASizeLineDeclaringAHugeMatrixIsRefusedAtOnce()
    {
        string huge = Write("huge.mtx", "%%MatrixMarket matrix coordinate real symmetric\n1000000000 1000000000 1\n1 1 1\n");
        long before = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        var (code, _, error) = Run("solve", huge);
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, "huge.mtx:2", "1024 rows per entry");
        Assert.That(GC.GetTotalAllocatedBytes(true) - before, Is.LessThan(100L << 20), "nothing allocated for the declared size");
        string entries = Write("entries.mtx", "%%MatrixMarket matrix coordinate real general\n100000 100000 2000000000\n1 1 1\n");
        (code, _, error) = Run("solve", entries);
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, "entries.mtx:2", "more than a file of");
    }

    [Test]
    public void EmptyAndAllZeroMatricesAreRefused()
    {
        var (code, _, error) = Run("solve", Write("zero.mtx", "%%MatrixMarket matrix coordinate real symmetric\n0 0 0\n"));
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, "0 x 0", "nothing to solve");
        (code, _, error) = Run("solve", Write("allzero.mtx", "%%MatrixMarket matrix coordinate real symmetric\n3 3 1\n1 1 0\n"));
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, "allzero.mtx", "no nonzero entry");
    }

    [Test]
    public void AFolderGivenAsTheMatrixIsNamedAsOne()
    {
        string folder = TestData.TempFolder();
        var (code, _, error) = Run("solve", folder);
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, folder, "is a folder");
    }

    [Test]
    public void OutputPathsAreCheckedBeforeTheSolve()
    {
        string folder = TestData.TempFolder();
        string matrix = TestData.Matrix("nos6.mtx");
        foreach (var option in new[] { "--out", "--history" })
        {
            var (code, output, error) = Run("solve", matrix, option, folder);
            Assert.That(code, Is.EqualTo(2), option);
            AssertOneLine(error, option, "is a folder");
            Assert.That(output, Does.Not.Contain("iterations"), "nothing was solved");
            string missing = Path.Combine(folder, "no", "such", "x.mtx");
            (code, _, error) = Run("solve", matrix, option, missing);
            Assert.That(code, Is.EqualTo(2), option);
            AssertOneLine(error, option, Path.Combine(folder, "no", "such"), "does not exist");
        }
        string file = Write("taken", "");
        var generate = Run("generate", "--size", "4", "-o", file);
        Assert.That(generate.code, Is.EqualTo(2));
        AssertOneLine(generate.error, "-o", "is a file");
    }

    [Test]
    public void NotPositiveDefiniteReportsTheResidualOfXEqualsZero()
    {
        string neg = Write("neg.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n1 1 -1\n2 2 1\n");
        var (code, output, _) = Run("solve", neg, "--json");
        Assert.That(code, Is.EqualTo(4));
        using var json = JsonDocument.Parse(output);
        Assert.That(json.RootElement.GetProperty("status").GetString(), Is.EqualTo("NotPositiveDefinite"));
        Assert.That(json.RootElement.GetProperty("relativeResidual").GetDouble(), Is.EqualTo(1.0), "x = 0, so the residual is b");
        var table = Run("solve", neg);
        Assert.That(table.output, Does.Not.Contain("NaN"));
    }

    [Test]
    public void JsonDetailsAreNumbersWhereTheyAreNumbers()
    {
        var (code, output, error) = Run("solve", TestData.Matrix("tank32_A.mtx.gz"), "--rhs", TestData.Matrix("tank32_b.mtx.gz"), "--method", "dcdm", "--json");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(output, Does.Not.Contain("\\u002B"));
        var details = JsonDocument.Parse(output).RootElement.GetProperty("details");
        Assert.That(details.GetProperty("k").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(details.GetProperty("replaced directions").ValueKind, Is.EqualTo(JsonValueKind.Number));
        Assert.That(details.GetProperty("direction time ms").GetDouble(), Is.GreaterThan(0));
        Assert.That(details.GetProperty("model").ValueKind, Is.EqualTo(JsonValueKind.String));
    }

    [Test]
    public void InfoAndModelInfoPrintEachFactOnce()
    {
        var (code, output, _) = Run("info");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output, Does.Not.Contain("8796093022207"), "the CPU emulator has no memory size to print");
        (code, output, _) = Run("model", "info", "default");
        Assert.That(code, Is.EqualTo(0));
        Assert.That(output.Split('\n').Count(l => l.StartsWith("parameters")), Is.EqualTo(1));
    }

    [Test]
    public void AnUnknownCommandIsNamed()
    {
        var (code, _, error) = Run("frobnicate");
        Assert.That(code, Is.EqualTo(2));
        AssertOneLine(error, "frobnicate");
    }
}
