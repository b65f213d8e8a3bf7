using System.Numerics;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// Which vectors of the box's rows hold an unknown (<see cref="OccupiedVectors"/>): each bit against the cells it stands for,
/// read one at a time, on boxes that start at the grid's edge and inside it, rows of more than 64 vectors and rows of fluid
/// and solid alternating every few cells.
/// </summary>
public class OccupiedVectorsTests
{
    static IEnumerable<TestCaseData> Grids()
    {
        yield return new TestCaseData(PoissonDomains.NoiseCarved(40, 12, 11, 0.6, 3)).SetArgDisplayNames("noise-carved 40x12x11");
        yield return new TestCaseData(PoissonDomains.CarvedRock(70, 40, 30, 0.8, 6, 2)).SetArgDisplayNames("carved 70x40x30: planes in parallel");
        int width = Vector<float>.Count;
        yield return new TestCaseData(PoissonDomains.NoiseCarved(66 * width + 3, 5, 6, 0.7, 4)).SetArgDisplayNames("noise-carved, rows of 67 vectors (two words) at any width");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(width + 2, 6, 7, 0.7, 1)).SetArgDisplayNames("tank, inner rows exactly one vector");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(37, 9, 10, 0.5, 2)).SetArgDisplayNames("tank 37x9x10");
        yield return new TestCaseData(Columns(31, 6, 7, 3, 30)).SetArgDisplayNames("fluid at x = 3 and 30 only: the last vector moved back onto solid, fluid just past it");
        yield return new TestCaseData(Inside(PoissonDomains.RandomObstacles(30, 10, 9, 0.3, 5), 3, 4)).SetArgDisplayNames("obstacles, box from x = 3 to 25");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(4 * width + 3, 1, 9, 0.6, 3)).SetArgDisplayNames("a tank one cell thick: every row on the grid's faces");
    }

    /// <summary>Solid but for the planes x = a and x = b (fluid, joined through y and z) under a layer of air: with eight-cell
    /// vectors from x = 3 to 30 the last one is moved back to [22, 30), all solid, while the cell at 30 past it is fluid.</summary>
    static PoissonGrid Columns(int nx, int ny, int nz, int a, int b)
    {
        var cells = new CellType[nx * ny * nz];
        for (int i = 0; i < cells.Length; i++)
        {
            int x = i % nx, z = i / (nx * ny);
            cells[i] = z == nz - 1 ? CellType.Air : x == a || x == b ? CellType.Fluid : CellType.Solid;
        }
        return new PoissonGrid(nx, ny, nz, cells);
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
        var occupied = OccupiedVectors.Of(diagonal, box, nx, ny, nz)!;
        Assert.That(occupied.First, Is.EqualTo(Math.Max(1, box.X0)));
        Assert.That(occupied.Stop, Is.EqualTo(Math.Min(box.X1 + 1, nx - 1)));
        int vectors = (occupied.Stop - occupied.First + width - 1) / width;
        Assert.That(occupied.Words, Is.EqualTo((vectors + 63) / 64));
        int set = 0, empty = 0;
        for (int z = box.Z0; z <= box.Z1; z++)
            for (int y = box.Y0; y <= box.Y1; y++)
            {
                // every row of the box has its bits, those on the grid's faces too (the kernels read zeros past them)
                for (int k = 0; k < 64 * occupied.Words; k++)
                {
                    bool bit = (occupied.Bits[occupied.Row(y, z) * occupied.Words + k / 64] >> (k % 64) & 1) != 0;
                    bool holds = false;
                    if (k < vectors)
                    {
                        int x = Math.Min(occupied.First + k * width, occupied.Stop - width);
                        for (int c = x; c < x + width; c++) holds |= diagonal[c + nx * (y + ny * z)] > 0;
                    }
                    Assert.That(bit, Is.EqualTo(holds), $"row y {y}, z {z}, vector {k}");
                    if (holds) set++; else if (k < vectors) empty++;
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
        Assert.That(OccupiedVectors.Of(diagonal, CellBox.Around(diagonal, grid.Nx, grid.Ny, grid.Nz), grid.Nx, grid.Ny, grid.Nz), Is.Null);
    }
}
