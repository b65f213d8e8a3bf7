namespace Dcdm.Models;

/// <summary>
/// The models embedded in this assembly, made by the README's <c>dcdm-train</c> commands: the vcycle model (learned
/// SOR weights in a multigrid cycle) and the stencil model. dcdm's default direction is the classical K-cycle
/// (<see cref="Default"/>), which the learned weights do not beat.
/// </summary>
public static class ShippedModels
{
    /// <summary>Where a shipped model comes from in the repository (embedded at build time).</summary>
    public static string PathOf(string architecture) => $"data/models/{architecture}.safetensors";

    /// <summary>The shipped model of an architecture (vcycle or stencil), parsed from the embedded file.</summary>
    public static ModelFile File(string architecture)
    {
        using var stream = typeof(ShippedModels).Assembly.GetManifestResourceStream($"{architecture}.safetensors")
            ?? throw new ArgumentException($"no shipped model of architecture '{architecture}' (shipped: {VCycleDirectionModel.ArchitectureName}, "
                + $"{StencilDirectionModel.ArchitectureName}); a build without {PathOf(architecture)} embeds none", nameof(architecture));
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return ModelFile.Parse(memory.ToArray(), PathOf(architecture));
    }

    /// <summary>dcdm's default direction, ready to bind on the CPU or a device: pcg-mg's K-cycle, nothing learned (<see cref="KCycleDirectionModel"/>).</summary>
    public static IDirectionModel Default() => new KCycleDirectionModel();

    /// <summary>
    /// A model by name (kcycle: the classical direction, kcycle:W with SOR weight W, e.g. kcycle:1 for the learned model
    /// before training, kcycle:W:S with S sweeps, e.g. kcycle:1:2 for the vcycle model's two sweeps untrained; vcycle,
    /// stencil: the shipped files); null for any other name (the caller reads it as a file path).
    /// </summary>
    public static IDirectionModel? Named(string name) => name switch
    {
        KCycleDirectionModel.ArchitectureName => new KCycleDirectionModel(),
        _ when name.StartsWith(KCycleDirectionModel.ArchitectureName + ":", StringComparison.Ordinal) => KCycle(name[(KCycleDirectionModel.ArchitectureName.Length + 1)..]),
        VCycleDirectionModel.ArchitectureName or StencilDirectionModel.ArchitectureName when !System.IO.File.Exists(name) => new DirectionModels().Load(File(name)),
        "lean" when !System.IO.File.Exists(name) => Named(StencilDirectionModel.ArchitectureName), // the stencil model's earlier name
        _ => null,
    };

    /// <summary>kcycle's "W" or "W:S"; null where W is not in (0, 2) or S not a count of at least one.</summary>
    static KCycleDirectionModel? KCycle(string parameters)
    {
        var parts = parameters.Split(':');
        var invariant = System.Globalization.CultureInfo.InvariantCulture;
        if (parts.Length > 2 || !double.TryParse(parts[0], System.Globalization.NumberStyles.Float, invariant, out double w) || !(w > 0 && w < 2)) return null;
        if (parts.Length == 1) return new KCycleDirectionModel(w);
        return int.TryParse(parts[1], System.Globalization.NumberStyles.None, invariant, out int sweeps) && sweeps >= 1 ? new KCycleDirectionModel(w, sweeps) : null;
    }
}
