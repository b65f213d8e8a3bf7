namespace Dcdm.Models;

/// <summary>
/// The model architectures a program can run, each registered once with the engine that loads it: the stencil
/// and vcycle networks' C# engines are built in; an assembly with another engine (TorchSharp: the paper's network) adds its own.
/// </summary>
public sealed class DirectionModels
{
    readonly Dictionary<string, Func<ModelFile, IDirectionModel>> _engines = new(StringComparer.Ordinal)
    {
        [StencilDirectionModel.ArchitectureName] = file => new StencilDirectionModel(file),
        [VCycleDirectionModel.ArchitectureName] = file => new VCycleDirectionModel(file),
    };

    /// <summary>Architecture names, in registration order.</summary>
    public IReadOnlyCollection<string> Architectures => _engines.Keys;

    /// <summary>Adds (or replaces) the engine of an architecture; returns this, for chaining.</summary>
    public DirectionModels With(string architecture, Func<ModelFile, IDirectionModel> load)
    {
        _engines[architecture] = load;
        return this;
    }

    /// <exception cref="ModelFileException">No engine for the file's architecture.</exception>
    public IDirectionModel Load(ModelFile file) =>
        _engines.TryGetValue(file.Architecture, out var load) ? load(file)
        : throw new ModelFileException(file.Source,
            $"architecture '{file.Architecture}' has no engine here (known: {string.Join(", ", Architectures)})");
}
