using System.Globalization;
using System.Text.Json;
using Dcdm.Cli;

namespace Dcdm.Tests.Cli;

/// <summary>dcdm bench on ILGPU's CPU accelerator: what the GPU run will print, at a size the emulator can afford.</summary>
public class CliBenchTests
{
    [Test]
    public void DeviceBenchTimesKernelsOnBothClocksAndItsChecksAndSolvesPass()
    {
        const string optimization = "O2"; // the CPU accelerator runs the IL at either level
        var output = new StringWriter(); var error = new StringWriter();
        int code = DcdmApp.RunAsync(["bench", "--device", "ilgpu-cpu", "--size", "8", "--domain", "obstacles", "--repeat", "1", "--optimization", optimization, "--json"],
            new CliConsole(output, error, false)).GetAwaiter().GetResult();
        Assert.That(code, Is.EqualTo(0), error.ToString());
        using var json = JsonDocument.Parse(output.ToString());
        Assert.That(json.RootElement.GetProperty("setup").GetString(), Does.EndWith($"ILGPU {optimization}"));
        var rows = json.RootElement.GetProperty("measurements").EnumerateArray()
            .ToDictionary(r => r.GetProperty("name").GetString()!, r => r);
        foreach (string kernel in new[] { "stencil fp32, columns of 4, vectorized", "stencil fp32, columns of 4, unrolled", "grid cg step, both halves, vectorized", "grid cg step, merged (one kernel)", "grid cg step, merged vectorized (one kernel)" })
        {
            var row = rows[kernel];
            double host = row.GetProperty("seconds").GetDouble(), device = row.GetProperty("deviceSeconds").GetDouble();
            Assert.That(device, Is.GreaterThan(0).And.LessThanOrEqualTo(host * 1.01), kernel); // events sit inside the host's interval
            Assert.That(row.GetProperty("gigabytesPerSecond").GetDouble(), Is.GreaterThan(0), kernel);
        }

        foreach (string check in new[] { "stencil fp32 vectorized, check against the host", "stencil fp32 one thread per cell, check against the host" })
        {
            string note = rows[check].GetProperty("note").GetString()!;
            double error1 = double.Parse(note[(note.LastIndexOf('=') + 1)..], CultureInfo.InvariantCulture);
            Assert.That(error1, Is.LessThan(1e-6), check);
        }

        Assert.That(rows["grid cg step check"].GetProperty("note").GetString(), Does.StartWith("the timed steps did their work"));
        foreach (string variant in new[] { "mergedvectorized", "merged", "vectorized", "unrolled", "plain" })
            Assert.That(rows[$"gpu grid cg iteration, {variant} (device loop)"].GetProperty("note").GetString(), Does.EndWith("Converged"), variant);
    }
}
