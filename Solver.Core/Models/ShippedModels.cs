namespace Dcdm.Models;

/// <summary>
/// The models embedded in this assembly, made by the README's <c>dcdm-train</c> commands: the vcycle model (learned
/// SOR weights in a multigrid V-cycle), dcdm's default, and the lean model, the one the GPU's device kernels run.
/// </summary>
public static class ShippedModels
{
    /// <summary>The architecture of <see cref="Default"/>.</summary>
    public const string DefaultArchitecture = VCycleDirectionModel.ArchitectureName;

    /// <summary>Where a shipped model comes from in the repository (embedded at build time).</summary>
    public static string PathOf(string architecture) => $"data/models/{architecture}.safetensors";

    /// <summary>The shipped model of an architecture (vcycle or lean), parsed from the embedded file.</summary>
    public static ModelFile File(string architecture)
    {
        using var stream = typeof(ShippedModels).Assembly.GetManifestResourceStream($"{architecture}.safetensors")
            ?? throw new ArgumentException($"no shipped model of architecture '{architecture}' (shipped: {VCycleDirectionModel.ArchitectureName}, "
                + $"{LeanDirectionModel.ArchitectureName}); a build without {PathOf(architecture)} embeds none", nameof(architecture));
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return ModelFile.Parse(memory.ToArray(), PathOf(architecture));
    }

    /// <summary>dcdm's default model, ready to bind: the vcycle model.</summary>
    public static IDirectionModel Default() => new VCycleDirectionModel(File(DefaultArchitecture));
}
