using Dcdm.Models;
using Dcdm.Poisson;
using static TorchSharp.torch;

namespace Dcdm.Training.Loss;

/// <summary>
/// One training geometry as tensors: the flag images the network reads, the fluid mask and the
/// diagonal (open neighbours) that the loss's masked 7-point stencil uses.
/// </summary>
public sealed class GridOperatorTensors : IDisposable
{
    public PoissonGrid Grid { get; }
    /// <summary>(1, 3, nz, ny, nx): fluid, air, solid.</summary>
    public Tensor Flags { get; }
    /// <summary>(1, 1, nz, ny, nx): 1 on the unknowns (fluid cells with an open neighbour).</summary>
    public Tensor Fluid { get; }
    /// <summary>(1, 1, nz, ny, nx): the diagonal on the unknowns, 0 elsewhere.</summary>
    public Tensor Diagonal { get; }

    /// <param name="type">float32 for training; float64 for checks against finite differences.</param>
    /// <param name="device">where the tensors live (default the CPU)</param>
    public GridOperatorTensors(PoissonGrid grid, ScalarType type = ScalarType.Float32, Device? device = null)
    {
        Grid = grid;
        long[] shape = [1, 1, grid.Nz, grid.Ny, grid.Nx];
        var diagonal = CellDiagonal.Of(grid);
        Flags = tensor(StencilDirectionModel.FlagImages(grid), [1, StencilDirectionModel.FlagChannels, grid.Nz, grid.Ny, grid.Nx]).to(type, device ?? CPU);
        Fluid = tensor(diagonal.Select(d => d > 0 ? 1f : 0f).ToArray(), shape).to(type, device ?? CPU);
        Diagonal = tensor(diagonal.Select(d => (float)d).ToArray(), shape).to(type, device ?? CPU);
    }

    public void Dispose()
    {
        Flags.Dispose();
        Fluid.Dispose();
        Diagonal.Dispose();
    }
}
