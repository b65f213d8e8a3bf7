using Dcdm.Models;

namespace Dcdm.Tests.Models;

public class StencilRowsTests
{
    /// <summary>The 27 flag vectors around a cell (zero outside the grid), as a string to compare.</summary>
    static string Neighbourhood(float[] flags, (int Nx, int Ny, int Nz) g, int cell)
    {
        int n = g.Nx * g.Ny * g.Nz, x = cell % g.Nx, y = cell / g.Nx % g.Ny, z = cell / (g.Nx * g.Ny);
        var parts = new List<string>();
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int xx = x + dx, yy = y + dy, zz = z + dz;
                    bool inside = xx >= 0 && xx < g.Nx && yy >= 0 && yy < g.Ny && zz >= 0 && zz < g.Nz;
                    int j = (zz * g.Ny + yy) * g.Nx + xx;
                    parts.Add(inside ? $"{flags[j]},{flags[n + j]},{flags[2 * n + j]}" : "0,0,0");
                }
        return string.Join(";", parts);
    }

    [Test]
    public void OnOneHotFlagsCellsShareARowExactlyWhenTheirNeighbourhoodsAreEqual()
    {
        var grid = PoissonDomains.FreeSurfaceTank(14, 11, 12, 0.5, seed: 4);
        var g = (grid.Nx, grid.Ny, grid.Nz);
        var flags = StencilDirectionModel.FlagImages(grid);
        var rows = StencilRows.Of(flags, g);
        var pattern = Enumerable.Range(0, grid.CellCount).Select(c => Neighbourhood(flags, g, c)).ToArray();
        var patternOfRow = new Dictionary<int, string>();
        for (int c = 0; c < grid.CellCount; c++)
        {
            int row = rows.Slot[c];
            if (row < 3) continue; // uniform rows are checked below
            if (patternOfRow.TryGetValue(row, out var p)) Assert.That(pattern[c], Is.EqualTo(p), $"cell {c} in row {row}");
            else patternOfRow[row] = pattern[c];
            Assert.That(pattern[rows.Representative[row - 3]], Is.EqualTo(pattern[c]));
        }
        Assert.That(patternOfRow.Values.Distinct().Count(), Is.EqualTo(patternOfRow.Count), "one row per distinct neighbourhood");
        Assert.That(patternOfRow.Count, Is.LessThan(grid.CellCount / 4), "free-surface layers repeat their neighbourhoods");
        for (int c = 0; c < grid.CellCount; c++)
            if (rows.Slot[c] < 3) Assert.That(pattern[c].Split(';').Distinct().Count(), Is.EqualTo(1), $"uniform cell {c}");
    }

    [Test]
    public void OnAveragedFlagsEveryOtherCellHasItsOwnRow()
    {
        var grid = PoissonDomains.Spheres(12, 10, 8, 2, seed: 3);
        var fine = StencilDirectionModel.FlagImages(grid);
        (int, int, int) f = (12, 10, 8), c = (6, 5, 4);
        var coarse = NetworkLayers.Pool(fine, StencilDirectionModel.FlagChannels, f, c);
        var rows = StencilRows.Of(coarse, c);
        var own = rows.Slot.Where(s => s >= 3).ToArray();
        Assert.That(own, Is.Unique);
        Assert.That(own, Has.Length.EqualTo(rows.Representative.Length));
    }
}
