using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// P's entries from the grid to the first aggregate level where they are not 1: P_i,a = Values[k] for cell i =
/// Cells[k] of aggregate a (cells ascending), 1 for every other unknown. The first level's operator is then
/// s P^T A P, with the same couplings as the piecewise-constant P's, and the restriction and prolongation scale those
/// cells alone, so a shape over the cells next to air costs a pass over the free surface, not over the grid.
/// </summary>
internal sealed class ProlongationShape
{
    public int[] Cells { get; }
    public float[] Values { get; }

    public ProlongationShape(int[] cells, float[] values)
    {
        if (cells.Length != values.Length) throw new ArgumentException($"{cells.Length} cells but {values.Length} values", nameof(values));
        for (int k = 1; k < cells.Length; k++)
            if (cells[k] <= cells[k - 1]) throw new ArgumentException($"the cells must ascend; cell {cells[k]} follows {cells[k - 1]}", nameof(cells));
        foreach (float v in values)
            if (!(v > 0 && float.IsFinite(v))) throw new ArgumentException($"P's entries must be positive and finite, got {v}", nameof(values));
        (Cells, Values) = (cells, values);
        Uniform = values.Length > 0 && Array.TrueForAll(values, v => v == values[0]) ? values[0] : null;
    }

    /// <summary>The one value every shaped cell has (a surface's shape), else null.</summary>
    public float? Uniform { get; }

    /// <summary>P's entry of a cell: its value, or 1.</summary>
    public double Of(int cell)
    {
        int k = Array.BinarySearch(Cells, cell);
        return k >= 0 ? Values[k] : 1;
    }

    /// <summary>Every fluid cell with an air neighbour (<see cref="PoissonGrid.SurfaceCells"/>) at <paramref name="weight"/>; null when there is none.</summary>
    public static ProlongationShape? AtTheSurface(PoissonGrid grid, double weight)
    {
        var surface = weight == 1 ? [] : grid.SurfaceCells;
        return surface.Length == 0 ? null : new ProlongationShape(surface, Enumerable.Repeat((float)weight, surface.Length).ToArray());
    }

    /// <summary>The cells whose entry is not 1 in a value per grid cell (an experiment's shape).</summary>
    public static ProlongationShape FromCells(float[] perCell)
    {
        var cells = Enumerable.Range(0, perCell.Length).Where(i => perCell[i] != 1).ToArray();
        return new ProlongationShape(cells, [.. cells.Select(i => perCell[i])]);
    }
}
