using Dcdm.Models;
using Dcdm.Poisson;
using static TorchSharp.torch;

namespace Dcdm.Training.Networks;

/// <summary>A direction model evaluated by TorchSharp (CPU libtorch): the trained module's own forward.</summary>
public sealed class TorchDirectionModel(LeanNetwork network) : IDirectionModel
{
    public string Description => $"lean (TorchSharp), {network.Channels} channels, {network.ParameterCount} parameters";

    public IDirection Bind(PoissonGrid grid) => new Bound(network, grid);

    sealed class Bound(LeanNetwork network, PoissonGrid grid) : IDirection
    {
        readonly Tensor _flags = tensor(LeanDirectionModel.FlagImages(grid), [1, LeanDirectionModel.FlagChannels, grid.Nz, grid.Ny, grid.Nx]);

        public void Apply(ReadOnlySpan<float> r, Span<float> q)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var input = tensor(r.ToArray(), [1, 1, grid.Nz, grid.Ny, grid.Nx]);
            network.forward(input, _flags).contiguous().data<float>().CopyTo(q);
        }
    }
}
