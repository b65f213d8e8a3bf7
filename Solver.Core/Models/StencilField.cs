namespace Dcdm.Models;

/// <summary>
/// A 27-point stencil per cell, stored once per distinct stencil: each cell names a row of the table.
/// Cells deep in fluid, air or solid share the first rows, so applying the field reads 4 bytes per
/// such cell instead of 108. A predictor with other outputs (the vcycle model's relaxation weights) gives rows of
/// that many values instead.
/// </summary>
public sealed class StencilField(int[] slot, float[] table)
{
    /// <summary>Per cell: its row in <see cref="Table"/>.</summary>
    public int[] Slot { get; } = slot;
    /// <summary>Rows of 27 values (offsets dz, dy, dx in -1..1, x fastest).</summary>
    public float[] Table { get; } = table;
}
