namespace Dcdm.Models;

/// <summary>
/// The levels of a multilevel network on an nx x ny x nz grid: each level halves every size (rounding
/// up; odd sizes are padded with one zero plane before pooling) until the largest is at most
/// <see cref="CoarsestSize"/>. The number of levels follows the grid, so one model serves every size.
/// </summary>
public static class GridPyramid
{
    public const int CoarsestSize = 4;

    public static IReadOnlyList<(int Nx, int Ny, int Nz)> Levels(int nx, int ny, int nz)
    {
        var levels = new List<(int, int, int)> { (nx, ny, nz) };
        while (Math.Max(nx, Math.Max(ny, nz)) > CoarsestSize)
        {
            nx = (nx + 1) / 2; ny = (ny + 1) / 2; nz = (nz + 1) / 2;
            levels.Add((nx, ny, nz));
        }
        return levels;
    }
}
