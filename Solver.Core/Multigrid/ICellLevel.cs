namespace Dcdm.Multigrid;

/// <summary>A voxel operator's cells as a fine level, in whichever precision <see cref="CellLevel.For"/> picked.</summary>
internal interface ICellLevel
{
    /// <summary>Whether it runs in float32 (else double).</summary>
    bool Single { get; }
}
