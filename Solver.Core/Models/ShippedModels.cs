namespace Dcdm.Models;

/// <summary>
/// The models embedded in this assembly, made by the README's <c>dcdm-train</c> commands: the vcycle model (learned
/// SOR weights in a multigrid cycle), the device's default, and the lean model. On the CPU dcdm's default direction is
/// the classical K-cycle (<see cref="Default"/>), which the learned weights do not beat there.
/// </summary>
public static class ShippedModels
{
    /// <summary>The architecture of the device's default model (the only cycle with device kernels).</summary>
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

    /// <summary>dcdm's default direction on the CPU, ready to bind: pcg-mg's K-cycle, nothing learned (<see cref="KCycleDirectionModel"/>).</summary>
    public static IDirectionModel Default() => new KCycleDirectionModel();

    /// <summary>
    /// A model by name (kcycle: the classical direction; vcycle, lean: the shipped files) or by file path; null for a name
    /// that is not one of these and no file (the caller reads it as a path and reports it).
    /// </summary>
    public static IDirectionModel? Named(string name) => name switch
    {
        KCycleDirectionModel.ArchitectureName => new KCycleDirectionModel(),
        VCycleDirectionModel.ArchitectureName or LeanDirectionModel.ArchitectureName when !System.IO.File.Exists(name) => new DirectionModels().Load(File(name)),
        _ => null,
    };
}
