namespace Dcdm.Multigrid;

/// <summary>
/// One level of <see cref="Models.VCycleDirection"/> in float32 on its full grid: the operator as the diagonal per cell (0 off
/// the unknowns) times <see cref="Scale"/>, the learned relaxation weights of each sweep (none on the coarsest level),
/// and the vectors; <see cref="Half"/> and <see cref="Quarter"/> hold the separable transfers' partial results.
/// The kernels touch only the box around the unknowns (<see cref="Box"/>); every vector is 0 outside it.
/// </summary>
internal sealed class VCycleLevel
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Cells => Nx * Ny * Nz;
    public float[] Diagonal { get; }
    /// <summary>The box around the unknowns: the kernels touch only that.</summary>
    public CellBox Box { get; }
    /// <summary>1 / the diagonal on the unknowns, 0 elsewhere: relaxation multiplies instead of dividing.</summary>
    public float[] InverseDiagonal { get; }
    public float Scale { get; }
    /// <summary>Per sweep, per cell: the SOR weight in (0, 2).</summary>
    public float[][] Weights { get; }
    public float[] B { get; }
    public float[] X { get; }
    public float[] Work { get; }
    /// <summary>
    /// (nx + 1) / 2 x ny x nz and (nx + 1) / 2 x (ny + 1) / 2 x nz: restriction and prolongation one axis at a time. Both
    /// write the same entries (this level's box along the fine axes, the coarse level's along the coarse ones), so
    /// every other entry stays 0 and reads as the zero a vector holds outside its box.
    /// </summary>
    public float[] Half { get; }
    public float[] Quarter { get; }
    /// <summary>A row of zeros: the tap of a transfer that falls outside the grid.</summary>
    public float[] Zeros { get; }

    /// <param name="transfers">Whether the geometric transfers run from this level (<see cref="Half"/> and <see cref="Quarter"/>
    /// allocated): not on a coarsest level, nor on the aggregate K-cycle's fine level, whose transfers are its own.</param>
    public VCycleLevel(int nx, int ny, int nz, byte[] diagonal, double scale, float[][] weights, bool transfers = true)
    {
        (Nx, Ny, Nz) = (nx, ny, nz);
        Diagonal = new float[diagonal.Length];
        InverseDiagonal = new float[diagonal.Length];
        for (int i = 0; i < diagonal.Length; i++)
            if (diagonal[i] != 0) (Diagonal[i], InverseDiagonal[i]) = (diagonal[i], 1f / diagonal[i]);
        Box = CellBox.Around(diagonal, nx, ny, nz);
        Scale = (float)scale;
        Weights = weights;
        B = new float[Cells]; X = new float[Cells]; Work = new float[Cells];
        bool geometric = transfers && weights.Length > 0; // a coarsest level has no weights and no transfers
        Half = geometric ? new float[(nx + 1) / 2 * ny * nz] : [];
        Quarter = geometric ? new float[(nx + 1) / 2 * ((ny + 1) / 2) * nz] : [];
        Zeros = new float[nx];
    }
}
