using Dcdm.Models;

namespace Dcdm.Cli;

/// <summary>The shipped model (data/models/lean.safetensors), embedded in the dcdm binary.</summary>
public static class DefaultModel
{
    public const string Name = "data/models/lean.safetensors";

    public static ModelFile Load()
    {
        using var stream = typeof(DefaultModel).Assembly.GetManifestResourceStream("lean.safetensors")
            ?? throw new InvalidOperationException("the default model is not embedded in this build (data/models/lean.safetensors missing at build time); pass --model FILE");
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        return ModelFile.Parse(memory.ToArray(), Name);
    }
}
