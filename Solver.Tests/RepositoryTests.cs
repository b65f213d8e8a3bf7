using System.Text.RegularExpressions;

namespace Dcdm.Tests;

/// <summary>Rules of the repository itself: the .editorconfig line limit, README and docs links that resolve inside it.</summary>
public class RepositoryTests
{
    /// <summary>The checkout's root: the folder above the test assembly that holds Solvers.sln.</summary>
    internal static string Root()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Solvers.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Solvers.sln above {TestContext.CurrentContext.TestDirectory}");
    }

    static IEnumerable<string> SourceFiles(string root) =>
        Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj" or ".device" or ".git"));

    [Test]
    public void SourceLinesStayWithinTheEditorconfigLimit()
    {
        string root = Root();
        var setting = File.ReadLines(Path.Combine(root, ".editorconfig")).Select(l => Regex.Match(l, @"^\s*max_line_length\s*=\s*(\d+)")).First(m => m.Success);
        int limit = int.Parse(setting.Groups[1].Value);
        var tooLong = SourceFiles(root)
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (f, i, line.Length)))
            .Where(t => t.Length > limit)
            .Select(t => $"{Path.GetRelativePath(root, t.f)}:{t.i + 1} ({t.Length} characters)")
            .ToList();
        Assert.That(SourceFiles(root).Count(), Is.GreaterThan(50), "the sources were found");
        Assert.That(tooLong, Is.Empty, $"lines over max_line_length = {limit}");
    }

    /// <summary>
    /// The table scripts (scripts/evaluate.sh and the rest) source table-setup.sh under set -e: on a machine without
    /// petsc4py (a fresh one, as CI's) it must still go on, with no peer. Its build is a stub here (a bash function
    /// named dotnet runs before the command), so the check takes no build.
    /// </summary>
    [Test]
    public void TheTableScriptsSetUpWithoutPetsc()
    {
        Assume.That(File.Exists("/bin/bash"), "bash runs the scripts");
        var start = new System.Diagnostics.ProcessStartInfo("/bin/bash")
        {
            ArgumentList = { "-c", "dotnet() { :; }; set -euo pipefail; source scripts/table-setup.sh; echo \"peer=$peer\"" },
            WorkingDirectory = Root(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PYTHON"] = "/bin/false"; // a python without petsc4py
        using var bash = System.Diagnostics.Process.Start(start)!;
        string output = bash.StandardOutput.ReadToEnd(), errors = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.That(bash.ExitCode, Is.EqualTo(0), $"sourcing table-setup.sh failed: {errors}");
        Assert.That(output.Trim(), Is.EqualTo("peer=0"));
    }

    [TestCase("README.md")]
    [TestCase("docs/benchmarks.md")]
    [TestCase("docs/install.md")]
    [TestCase("docs/library.md")]
    [TestCase("docs/command-line.md")]
    [TestCase("docs/methods.md")]
    [TestCase("docs/training.md")]
    [TestCase("docs/layout.md")]
    [TestCase("data/matrices/README.md")]
    public void LinksResolveInsideTheRepository(string page)
    {
        string root = Root(), path = Path.Combine(root, page);
        var targets = Regex.Matches(File.ReadAllText(path), @"\]\(([^)#\s]+)[^)]*\)").Select(m => m.Groups[1].Value)
            .Where(t => !t.Contains("://") && !t.StartsWith("mailto:")).ToList();
        foreach (var target in targets)
        {
            string full = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, target));
            Assert.That(full, Does.StartWith(root), $"{page} links outside the repository: {target}");
            Assert.That(File.Exists(full) || Directory.Exists(full), Is.True, $"{page} links to a missing {target}");
        }
    }
}
