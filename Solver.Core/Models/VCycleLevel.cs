namespace Dcdm.Models;

/// <summary>
/// One level of <see cref="VCycleDirection"/> in float32 on its full grid: the operator as the diagonal per cell (0 off
/// the unknowns) times <see cref="Scale"/>, the learned smoothers with 1 / Scale folded in and zero rows off the
/// unknowns (so smoothing writes 0 there with no test), and the vectors; <see cref="Half"/> and <see cref="Quarter"/>
/// hold the separable transfers' partial results.
/// </summary>
internal sealed class VCycleLevel
{
    public int Nx { get; }
    public int Ny { get; }
    public int Nz { get; }
    public int Cells => Nx * Ny * Nz;
    public (int Nx, int Ny, int Nz) Size => (Nx, Ny, Nz);
    public float[] Diagonal { get; }
    public float Scale { get; }
    public StencilField? Pre { get; }
    public StencilField? Post { get; }
    public float[] B { get; }
    public float[] X { get; }
    public float[] Work { get; }
    /// <summary>(nx + 1) / 2 x ny x nz and (nx + 1) / 2 x (ny + 1) / 2 x nz: restriction and prolongation one axis at a time.</summary>
    public float[] Half { get; }
    public float[] Quarter { get; }

    public VCycleLevel(int nx, int ny, int nz, byte[] diagonal, double scale, StencilField? pre, StencilField? post)
    {
        (Nx, Ny, Nz) = (nx, ny, nz);
        Diagonal = diagonal.Select(d => (float)d).ToArray();
        Scale = (float)scale;
        Pre = pre is null ? null : Smoother(pre, diagonal, 1 / scale);
        Post = post is null ? null : Smoother(post, diagonal, 1 / scale);
        B = new float[Cells]; X = new float[Cells]; Work = new float[Cells];
        bool coarsest = pre is null;
        Half = coarsest ? [] : new float[(nx + 1) / 2 * ny * nz];
        Quarter = coarsest ? [] : new float[(nx + 1) / 2 * ((ny + 1) / 2) * nz];
    }

    /// <summary>
    /// The field times s, rows of cells that are not unknowns zeroed. Every cell of a row shares its 3x3x3 flags, so its
    /// centre's type and open faces: a row is all unknowns or none.
    /// </summary>
    static StencilField Smoother(StencilField field, byte[] diagonal, double s)
    {
        var unknown = new bool[field.Table.Length / 27];
        for (int i = 0; i < diagonal.Length; i++) if (diagonal[i] != 0) unknown[field.Slot[i]] = true;
        var table = new float[field.Table.Length];
        for (int r = 0; r < unknown.Length; r++)
            if (unknown[r]) for (int o = 0; o < 27; o++) table[r * 27 + o] = (float)(s * field.Table[r * 27 + o]);
        return new StencilField(field.Slot, table);
    }
}
