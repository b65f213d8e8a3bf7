using Dcdm.Multigrid;
using Dcdm.Poisson;
using NUnit.Framework;

namespace Dcdm.Tests.Multigrid;

public class CellBoxTests
{
    /// <summary>Faces open and Dirichlet terms at random, few: unknowns scattered, some only through a face to a lower
    /// neighbour (the box must reach the cell above that face), rows and planes without any.</summary>
    static VoxelOperator Scattered(int nx, int ny, int nz, double open, int seed)
    {
        var rng = new Random(seed);
        int n = nx * ny * nz;
        double[] Faces(Func<int, bool> leaves) => [.. Enumerable.Range(0, n).Select(i => !leaves(i) && rng.NextDouble() < open ? 0.5 + rng.NextDouble() : 0)];
        var fx = Faces(i => i % nx == nx - 1);
        var fy = Faces(i => i / nx % ny == ny - 1);
        var fz = Faces(i => i / (nx * ny) == nz - 1);
        var d = Faces(_ => false);
        return new VoxelOperator(nx, ny, nz, fx, fy, fz, d);
    }

    static IEnumerable<TestCaseData> Operators()
    {
        yield return new TestCaseData(Scattered(17, 13, 11, 0.002, 1)).SetArgDisplayNames("scattered, sparse");
        yield return new TestCaseData(Scattered(9, 8, 7, 0.02, 2)).SetArgDisplayNames("scattered");
        yield return new TestCaseData(Scattered(6, 5, 4, 0, 3)).SetArgDisplayNames("no unknown");
        foreach (var family in CoefficientDomains.Families)
            yield return new TestCaseData(CoefficientDomains.Named(family, 24, 20, 22, 3)).SetArgDisplayNames(family);
    }

    /// <summary>One open face: its two cells are the unknowns, the upper one only through the face below it.</summary>
    static VoxelOperator OneFace(int axis, int x, int y, int z)
    {
        int nx = 7, ny = 6, nz = 5, n = nx * ny * nz;
        var faces = new[] { new double[n], new double[n], new double[n] };
        faces[axis][x + nx * (y + ny * z)] = 1;
        return new VoxelOperator(nx, ny, nz, faces[0], faces[1], faces[2], new double[n]);
    }

    static IEnumerable<TestCaseData> OneFaceEach()
    {
        // from the first cell along each axis (the row, the row's y and its plane start there) and from inside
        foreach (var (x, y, z) in new[] { (0, 0, 0), (2, 3, 1), (5, 4, 3) })
            for (int axis = 0; axis < 3; axis++)
                yield return new TestCaseData(OneFace(axis, x, y, z)).SetArgDisplayNames($"axis {axis} at ({x}, {y}, {z})");
    }

    [TestCaseSource(nameof(OneFaceEach))]
    public void AnOpenFaceMakesBothItsCellsUnknowns(VoxelOperator op)
    {
        var box = CellBox.AroundUnknowns(op);
        Assert.That(box, Is.EqualTo(CellBox.Around(CellLevel.DiagonalOf(op), op.Nx, op.Ny, op.Nz)));
        Assert.That(box.Cells, Is.EqualTo(2), "the face's two cells");
    }

    [TestCaseSource(nameof(Operators))]
    public void TheBoxAroundAnOperatorsUnknownsIsTheBoxAroundItsPositiveDiagonal(VoxelOperator op)
    {
        var expected = CellBox.Around(CellLevel.DiagonalOf(op), op.Nx, op.Ny, op.Nz);
        var box = CellBox.AroundUnknowns(op);
        Assert.That(box.IsEmpty, Is.EqualTo(expected.IsEmpty));
        if (!expected.IsEmpty) Assert.That(box, Is.EqualTo(expected));
    }
}
