using System.Numerics;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// Which vectors of the box's rows hold an unknown (<see cref="VectorRuns"/>): each bit against the cells it stands for,
/// read one at a time, on boxes that start at the grid's edge and inside it, rows of more than 64 vectors and rows of fluid
/// and solid alternating every few cells.
/// </summary>
public class VectorRunsTests
{
    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.NoiseCarved(40, 12, 11, 0.6, 3)).SetArgDisplayNames("carved 40x12x11");
        yield return new TestCaseData(PoissonDomains.NoiseCarved(531, 5, 6, 0.7, 4)).SetArgDisplayNames("carved 531x5x6: rows of 66 vectors");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(37, 9, 10, 0.5, 2)).SetArgDisplayNames("tank 37x9x10");
        yield return new TestCaseData(Inside(PoissonDomains.RandomObstacles(30, 10, 9, 0.3, 5), 3, 4)).SetArgDisplayNames("obstacles, box from x = 3 to 26");
    }

    /// <summary>The grid with its cells below x = lo and above nx - 1 - hi made solid, so its box starts inside it.</summary>
    static PoissonGrid Inside(PoissonGrid grid, int lo, int hi)
    {
        var cells = grid.CellArray.ToArray();
        for (int i = 0; i < cells.Length; i++)
            if (i % grid.Nx < lo || i % grid.Nx >= grid.Nx - hi) cells[i] = CellType.Solid;
        return new PoissonGrid(grid.Nx, grid.Ny, grid.Nz, cells);
    }

    [TestCaseSource(nameof(Grids))]
    public void EachBitSaysWhetherItsVectorHoldsAnUnknown(PoissonGrid grid)
    {
        var diagonal = CellDiagonal.Of(grid);
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, width = Vector<float>.Count;
        var box = CellBox.Around(diagonal, nx, ny, nz);
        var runs = VectorRuns.Of(diagonal, box, nx, ny, nz)!;
        Assert.That(runs.First, Is.EqualTo(Math.Max(1, box.X0)));
        Assert.That(runs.Stop, Is.EqualTo(Math.Min(box.X1 + 1, nx - 1)));
        int vectors = (runs.Stop - runs.First + width - 1) / width;
        Assert.That(runs.Words, Is.EqualTo((vectors + 63) / 64));
        int set = 0, empty = 0;
        for (int z = box.Z0; z <= box.Z1; z++)
            for (int y = box.Y0; y <= box.Y1; y++)
            {
                bool inside = y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                for (int k = 0; k < 64 * runs.Words; k++)
                {
                    bool bit = (runs.Bits[runs.Row(y, z) * runs.Words + k / 64] >> (k % 64) & 1) != 0;
                    bool holds = false;
                    if (inside && k < vectors)
                    {
                        int x = Math.Min(runs.First + k * width, runs.Stop - width);
                        for (int c = x; c < x + width; c++) holds |= diagonal[c + nx * (y + ny * z)] > 0;
                    }
                    Assert.That(bit, Is.EqualTo(holds), $"row y {y}, z {z}, vector {k}");
                    if (holds) set++; else if (inside && k < vectors) empty++;
                }
            }
        Assert.That(set, Is.GreaterThan(0), "vectors holding an unknown");
        if (grid.Nx > 100) Assert.That(empty, Is.GreaterThan(0), "and vectors of solid between them");
    }

    [Test]
    public void RowsShorterThanAVectorHaveNone()
    {
        var grid = PoissonDomains.FreeSurfaceTank(Vector<float>.Count + 1, 6, 6, 0.5, 1); // inside the grid: width - 1 cells a row
        var diagonal = CellDiagonal.Of(grid);
        Assert.That(VectorRuns.Of(diagonal, CellBox.Around(diagonal, grid.Nx, grid.Ny, grid.Nz), grid.Nx, grid.Ny, grid.Nz), Is.Null);
    }
}
