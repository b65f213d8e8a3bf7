using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Training.Convolutions;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>A direction model evaluated by TorchSharp (CPU libtorch): a trained module's own forward, any architecture.</summary>
public sealed class TorchDirectionModel(nn.Module<Tensor, Tensor, Tensor> network, string description) : IDirectionModel
{
    public TorchDirectionModel(StencilNetwork stencil) : this(stencil, $"stencil (TorchSharp), {stencil.Channels} channels, {stencil.ParameterCount} parameters") { }

    public string Description => description;

    /// <summary>The network a model file describes (one of <see cref="Architectures"/>), with its weights.</summary>
    public static TorchDirectionModel Load(ModelFile file)
    {
        if (!Architectures.Names.Contains(file.Architecture))
            throw new ModelFileException(file.Source,
                $"unknown architecture '{file.Architecture}' (known: {string.Join(", ", Architectures.Names)})");
        var network = Architectures.Create(file.Architecture, file.IntMetadata("channels", 8));
        NetworkFile.Import(network, file);
        long parameters = network.parameters().Sum(p => p.numel());
        return new TorchDirectionModel(network, $"{file.Architecture} (TorchSharp), {parameters} parameters");
    }

    /// <exception cref="UntrustedConvolutionsException">libtorch's convolutions fail the self-check here on every path.</exception>
    public IDirection Bind(PoissonGrid grid)
    {
        TorchConvolutions.Verify(CPU);
        return new Bound(network, grid);
    }

    sealed class Bound(nn.Module<Tensor, Tensor, Tensor> network, PoissonGrid grid) : IDirection
    {
        readonly Tensor _flags = tensor(StencilDirectionModel.FlagImages(grid), [1, StencilDirectionModel.FlagChannels, grid.Nz, grid.Ny, grid.Nx]);

        public void Apply(ReadOnlySpan<float> r, Span<float> q)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var input = tensor(r.ToArray(), [1, 1, grid.Nz, grid.Ny, grid.Nx]);
            network.forward(input, _flags).contiguous().data<float>().CopyTo(q);
        }
    }
}
