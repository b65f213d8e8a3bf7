using System.CommandLine;
using System.Globalization;
using Dcdm.Models;

namespace Dcdm.Cli.Commands;

/// <summary>dcdm model info FILE: the architecture, metadata and tensors of a model file.</summary>
public static class ModelCommand
{
    public static Command Create(CliConsole console, DcdmTool tool)
    {
        var file = new Argument<string>("file")
        {
            Description = "a model file (.safetensors); 'vcycle' and 'stencil' for the shipped learned models; 'default', 'kcycle' or "
                + "'kcycle:W[:S]' for the classical direction dcdm takes by default (nothing learned, no file)",
        };
        var info = new Command("info", "print a model file's architecture, metadata and tensors") { file };
        info.SetAction((parse, cancellation) =>
        {
            string path = parse.GetValue(file)!;
            var o = console.Out;
            var classical = path == "default" ? ShippedModels.Default() as KCycleDirectionModel
                : path.StartsWith(KCycleDirectionModel.ArchitectureName, StringComparison.Ordinal) && !File.Exists(path) ? ShippedModels.Named(path) as KCycleDirectionModel : null;
            if (classical is not null)
            {
                o.WriteLine($"model         {classical.Description}");
                o.WriteLine("file          none: the classical K-cycle (pcg-mg's cycle as DCDM's direction) learns nothing; it is dcdm's default");
                o.WriteLine($"architecture  {KCycleDirectionModel.ArchitectureName}");
                o.WriteLine("parameters    0");
                o.WriteLine($"per-face      {classical.DescriptionOnFaces}");
                return Task.FromResult(ExitCode.Converged);
            }
            string? shipped = path is "vcycle" ? VCycleDirectionModel.ArchitectureName : path == "stencil" ? StencilDirectionModel.ArchitectureName : null;
            var model = shipped is null ? ModelFile.Read(path) : ShippedModels.File(shipped);
            o.WriteLine($"file          {(shipped is null ? path : ShippedModels.PathOf(shipped) + " (embedded)")}");
            o.WriteLine($"architecture  {model.Architecture}");
            long parameters = model.Tensors.Values.Sum(t => t.Count);
            o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"parameters    {parameters}"));
            if (model.Architecture == StencilDirectionModel.ArchitectureName)
            {
                int channels = model.IntMetadata("channels", 0);
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cost          {StencilDirectionModel.MultiplyAddsPerCell:F0} multiply-adds per cell per direction; "
                   + $"{StencilDirectionModel.SetupMultiplyAddsPerCell(channels):F0} per cell once per geometry"));
            }
            else if (model.Architecture == VCycleDirectionModel.ArchitectureName)
                o.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"cost          {VCycleDirectionModel.MultiplyAddsPerCell(model.IntMetadata("sweeps", 1)):F0} multiply-adds per cell per direction; the weights once per geometry"));
            else o.WriteLine($"cost          {tool.EngineCost(model.Architecture) ?? $"no engine in {tool.Name}; {tool.OtherEngines}"}");
            foreach (var (k, v) in model.Metadata.Where(kv => kv.Key is not ("source" or "architecture" or "parameters"))) o.WriteLine($"{k,-13} {v}");
            foreach (var (name, t) in model.Tensors) o.WriteLine($"tensor        {name} {t.ShapeText}");
            return Task.FromResult(ExitCode.Converged);
        });
        return new Command("model", "inspect model files") { info };
    }
}
