using System.Numerics;
using Dcdm.Poisson;

namespace Dcdm.Multigrid;

/// <summary>
/// P's entries from the grid (or a voxel operator's cells, or their rows) to the first aggregate level where they are
/// not 1: P_i,a = Values[k] for cell i = Cells[k] of aggregate a (ascending), 1 for every other unknown. The first level's operator is then
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
        return AllAt(surface, weight);
    }

    /// <summary>
    /// A voxel operator's unknowns with a face to air (a Dirichlet term) whose coefficients spread at most
    /// <see cref="SurfaceSpread"/>, at <paramref name="weight"/>, as <see cref="AtTheSurface"/> takes a grid's; null when
    /// there is none.
    /// </summary>
    /// <param name="diagonal">The operator's diagonal per cell, 0 off the unknowns (<see cref="CellLevel.DiagonalOf"/>).</param>
    public static ProlongationShape? AtDirichletFaces(VoxelOperator op, double[] diagonal, double weight)
    {
        var dirichlet = op.Dirichlet;
        var cells = new List<int>();
        int step = Vector<double>.Count, i = 0;
        if (weight != 1)
            for (; i < dirichlet.Length; i += step) // 0 but at a surface: a vector at a time
            {
                bool tail = i + step > dirichlet.Length;
                if (!tail && Vector.EqualsAll(new Vector<double>(dirichlet, i), Vector<double>.Zero)) continue;
                for (int k = i, end = Math.Min(i + step, dirichlet.Length); k < end; k++)
                    if (dirichlet[k] > 0 && diagonal[k] > 0 && Spread(op, k) <= SurfaceSpread) cells.Add(k);
            }
        return AllAt([.. cells], weight);
    }

    /// <summary>
    /// How far a shaped cell's open faces and Dirichlet term may spread (largest over smallest): a free surface in one
    /// material, as a grid's surface is. A log-normal permeability field at sigma 4 (48^3) took 41 -> 56 iterations with
    /// every cell next to air shaped, 41 with those within 2. It also leaves out a ghost-fluid cell close to its surface
    /// (1 / theta over unit faces) and the rounding a matrix read from a file leaves as an interior row's Dirichlet term
    /// (about 1e-16 of its diagonal; shaped, those cells took a two-phase system from 6 to 34 iterations).
    /// </summary>
    public const double SurfaceSpread = 2;

    /// <summary>Cell i's largest open-face coefficient or Dirichlet term over its smallest.</summary>
    static double Spread(VoxelOperator op, int i)
    {
        double lo = op.Dirichlet[i], hi = lo;
        op.OpenFaces(i, (_, c) => (lo, hi) = (Math.Min(lo, c), Math.Max(hi, c)));
        return hi / lo;
    }

    /// <summary>Every one of <paramref name="cells"/> at <paramref name="weight"/>; null when there is none.</summary>
    static ProlongationShape? AllAt(int[] cells, double weight) =>
        cells.Length == 0 ? null : new ProlongationShape(cells, Enumerable.Repeat((float)weight, cells.Length).ToArray());

    /// <summary>The cells whose entry is not 1 in a value per grid cell (an experiment's shape).</summary>
    public static ProlongationShape FromCells(float[] perCell)
    {
        var cells = Enumerable.Range(0, perCell.Length).Where(i => perCell[i] != 1).ToArray();
        return new ProlongationShape(cells, [.. cells.Select(i => perCell[i])]);
    }
}
