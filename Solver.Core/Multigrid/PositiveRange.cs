namespace Dcdm.Multigrid;

/// <summary>The smallest positive value of a set and its largest (both 0 when none is positive): a voxel operator's open
/// faces, or its diagonals on the unknowns.</summary>
internal readonly record struct PositiveRange(double Smallest, double Largest)
{
    /// <summary>The largest over the smallest; 1 when none is positive.</summary>
    public double Contrast => Largest > 0 ? Largest / Smallest : 1;
}
