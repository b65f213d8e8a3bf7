namespace Dcdm.Models;

/// <summary>
/// The stencil network bound to one geometry: the grid of every level and the stencil fields of its
/// blocks (smooth, down and up on every level but the coarsest, coarse on the coarsest), with the two
/// mixing weights. The C# engine and the GPU engine both run the V-cycle from this.
/// </summary>
public sealed record StencilHierarchy(
    IReadOnlyList<(int Nx, int Ny, int Nz)> Levels,
    StencilField[] Smooth, StencilField[] Down, StencilField[] Up, StencilField Coarse,
    float MixSkip, float MixCoarse);
