namespace Dcdm.Models;

/// <summary>
/// One level of <see cref="VCycleDirection"/> in float32 on its full grid: the operator as the diagonal per cell (0 off
/// the unknowns) times <see cref="Scale"/>, the learned relaxation weights of each sweep (none on the coarsest level),
/// and the vectors; <see cref="Half"/> and <see cref="Quarter"/> hold the separable transfers' partial results.
/// </summary>
internal sealed class VCycleLevel
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Cells => Nx * Ny * Nz;
    public float[] Diagonal { get; }
    /// <summary>The first and last z-plane with an unknown: the kernels skip the planes outside (air above a free surface).</summary>
    public int FirstPlane { get; }
    public int LastPlane { get; }
    /// <summary>1 / the diagonal on the unknowns, 0 elsewhere: relaxation multiplies instead of dividing.</summary>
    public float[] InverseDiagonal { get; }
    public float Scale { get; }
    /// <summary>Per sweep, per cell: the SOR weight in (0, 2).</summary>
    public float[][] Weights { get; }
    public float[] B { get; }
    public float[] X { get; }
    public float[] Work { get; }
    /// <summary>(nx + 1) / 2 x ny x nz and (nx + 1) / 2 x (ny + 1) / 2 x nz: restriction and prolongation one axis at a time.</summary>
    public float[] Half { get; }
    public float[] Quarter { get; }

    public VCycleLevel(int nx, int ny, int nz, byte[] diagonal, double scale, float[][] weights)
    {
        (Nx, Ny, Nz) = (nx, ny, nz);
        Diagonal = new float[diagonal.Length];
        InverseDiagonal = new float[diagonal.Length];
        for (int i = 0; i < diagonal.Length; i++)
            if (diagonal[i] != 0) (Diagonal[i], InverseDiagonal[i]) = (diagonal[i], 1f / diagonal[i]);
        int plane = nx * ny;
        FirstPlane = nz;
        LastPlane = -1;
        for (int i = 0; i < diagonal.Length; i++)
            if (diagonal[i] != 0) { FirstPlane = Math.Min(FirstPlane, i / plane); LastPlane = Math.Max(LastPlane, i / plane); }
        Scale = (float)scale;
        Weights = weights;
        B = new float[Cells]; X = new float[Cells]; Work = new float[Cells];
        bool coarsest = weights.Length == 0;
        Half = coarsest ? [] : new float[(nx + 1) / 2 * ny * nz];
        Quarter = coarsest ? [] : new float[(nx + 1) / 2 * ((ny + 1) / 2) * nz];
    }
}
