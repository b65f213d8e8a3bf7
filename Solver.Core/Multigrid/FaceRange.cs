namespace Dcdm.Multigrid;

/// <summary>A voxel operator's smallest open face coefficient and its largest (both 0 when no face is open).</summary>
internal readonly record struct FaceRange(double Smallest, double Largest)
{
    /// <summary>The largest over the smallest; 1 when no face is open.</summary>
    public double Contrast => Largest > 0 ? Largest / Smallest : 1;
}
