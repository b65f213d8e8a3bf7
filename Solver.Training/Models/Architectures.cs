using Dcdm.Models;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>
/// The trainable network architectures, registered once: their names (what model files record and
/// <c>dcdm train --arch</c> takes) and how each is built. The trainer, the TorchSharp direction model, the command
/// line and <see cref="DirectionModels"/> all read this list.
/// </summary>
public static class Architectures
{
    /// <summary>Name, and the network for a hidden-channel count (the paper's network has a fixed width).</summary>
    static readonly (string Name, string Description, Func<int, nn.Module<Tensor, Tensor, Tensor>> Create)[] All =
    [
        (StencilDirectionModel.ArchitectureName, "multilevel stencils predicted from the cell flags", channels => new StencilNetwork(channels)),
        (VCycleDirectionModel.ArchitectureName, "a multigrid V-cycle whose SOR weights are predicted from the cell flags", channels => new VCycleNetwork(channels)),
        (PaperNetwork.ArchitectureName, "the paper's 16-channel from64 network", _ => new PaperNetwork()),
    ];

    public static IReadOnlyList<string> Names { get; } = [.. All.Select(a => a.Name)];

    /// <summary>"stencil (…) or vcycle (…) or paper (…)", for help texts.</summary>
    public static string Help => string.Join(" or ", All.Select(a => $"{a.Name} ({a.Description})"));

    /// <exception cref="ArgumentException">Not one of <see cref="Names"/>.</exception>
    public static nn.Module<Tensor, Tensor, Tensor> Create(string name, int channels) =>
        All.FirstOrDefault(a => a.Name == name).Create?.Invoke(channels)
        ?? throw new ArgumentException($"architecture '{name}': expected {string.Join(" or ", Names)}");

    /// <summary>The inference engines of a program that trains: the C# engines built in, the others through TorchSharp.</summary>
    public static DirectionModels Engines()
    {
        var models = new DirectionModels();
        foreach (var name in Names.Where(n => !models.Architectures.Contains(n))) models.With(name, TorchDirectionModel.Load);
        return models;
    }
}
