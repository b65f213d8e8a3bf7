using System.CommandLine;
using System.Numerics;
using System.Runtime.InteropServices;
using ILGPU;

namespace Dcdm.Cli.Commands;

/// <summary>dcdm info: versions, threads, SIMD width, accelerators ILGPU finds, and (dcdm-train) whether libtorch loads.</summary>
public static class InfoCommand
{
    public static Command Create(CliConsole console, DcdmTool tool)
    {
        var command = new Command("info", "show versions, threads and the accelerators found");
        command.SetAction(_ =>
        {
            var o = console.Out;
            o.WriteLine($"{tool.Name,-11} {typeof(InfoCommand).Assembly.GetName().Version}");
            o.WriteLine($".NET        {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier})");
            o.WriteLine($"os          {RuntimeInformation.OSDescription}");
            o.WriteLine($"threads     {Environment.ProcessorCount} (SpMV and vector kernels run in parallel)");
            o.WriteLine($"simd        {Vector<double>.Count} doubles per vector{(Vector.IsHardwareAccelerated ? "" : " (not hardware accelerated)")}");
            o.WriteLine($"ilgpu       {typeof(Context).Assembly.GetName().Version}");
            try
            {
                using var context = Context.Create(b => b.Default());
                foreach (var device in context)
                    // the CPU accelerator reports no real memory size (2^63 bytes): name it only for devices
                    o.WriteLine(device.AcceleratorType == ILGPU.Runtime.AcceleratorType.CPU
                        ? $"accelerator {device.AcceleratorType}: {device.Name} (ILGPU's emulator, for checks)"
                        : $"accelerator {device.AcceleratorType}: {device.Name} ({device.MemorySize / (1 << 20)} MiB)");
            }
            catch (Exception e) { o.WriteLine($"accelerator none found: {e.Message}"); }
            o.WriteLine($"torchsharp  {tool.TorchStatus()}");
            return ExitCode.Converged;
        });
        return command;
    }
}
