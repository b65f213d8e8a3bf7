using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// Review of SparseUnknowns.Of's vector search (1775450): boxes that do not start at x = 0 and planes outside the box,
/// byte diagonals above 127, float diagonals, a box narrower than a vector, all against a plain loop over the box.
/// </summary>
public class SparseUnknownsReviewTests
{
    /// <summary>The plain loop: the box's cells with a positive diagonal, ascending; each plane's start; inner or on the
    /// grid's faces; colour (x + y + z) &amp; 1.</summary>
    static void AssertLists<T>(SparseUnknowns? lists, T[] d, CellBox box, int nx, int ny, int nz, string what) where T : System.Numerics.INumber<T>
    {
        Assert.That(lists, Is.Not.Null, what);
        var want = new List<int>();
        for (int z = box.Z0; z <= box.Z1; z++)
            for (int y = box.Y0; y <= box.Y1; y++)
                for (int x = box.X0; x <= box.X1; x++)
                    if (d[(z * ny + y) * nx + x] > T.Zero) want.Add((z * ny + y) * nx + x);
        Assert.That(lists!.Ascending, Is.EqualTo(want), what);
        for (int z = 0; z <= nz; z++) Assert.That(lists.PlaneStarts[z], Is.EqualTo(want.Count(i => i < z * nx * ny)), $"{what}: plane {z}");
        bool Inner(int i) => i % nx > 0 && i % nx < nx - 1 && i / nx % ny > 0 && i / nx % ny < ny - 1 && i / (nx * ny) > 0 && i / (nx * ny) < nz - 1;
        int Colour(int i) => (i % nx + i / nx % ny + i / (nx * ny)) & 1;
        for (int colour = 0; colour < 2; colour++)
        {
            Assert.That(lists.Inner[colour], Is.EqualTo(want.Where(i => Colour(i) == colour && Inner(i))), $"{what}: inner {colour}");
            Assert.That(lists.Edge[colour], Is.EqualTo(want.Where(i => Colour(i) == colour && !Inner(i))), $"{what}: edge {colour}");
        }
    }

    /// <summary>
    /// A box inside the grid from x0 = 1..5 (its rows' vectors start off any alignment), 1 to 70 cells wide (no whole
    /// vector of bytes, one, two and a tail), planes below and above it; cells outside the box hold positive diagonals
    /// the box's lists must not take (a vector read past the row's end would). Bytes 1..255 (above 127 too: an unsigned
    /// compare), floats and doubles with NaN, -0, negatives.
    /// </summary>
    [Test]
    public void ABoxAwayFromTheGridsOriginHoldsOnlyItsOwnPositiveDiagonals()
    {
        var rng = new Random(5);
        double[] odd = [double.NaN, -1, -0.0, 0, double.Epsilon, 1e-300, 3, double.PositiveInfinity, double.NegativeInfinity];
        foreach (int width in new[] { 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 40, 63, 64, 65, 70 })
        {
            int x0 = 1 + width % 5, nx = x0 + width + 3, ny = 6, nz = 7, n = nx * ny * nz;
            var box = new CellBox(x0, x0 + width - 1, 1, ny - 2, 2, nz - 2);
            bool InBox(int i) => i % nx >= box.X0 && i % nx <= box.X1 && i / nx % ny >= box.Y0 && i / nx % ny <= box.Y1
                && i / (nx * ny) >= box.Z0 && i / (nx * ny) <= box.Z1;
            var bytes = Enumerable.Range(0, n).Select(i => !InBox(i) ? (byte)200 : rng.NextDouble() < 0.4 ? (byte)rng.Next(1, 256) : (byte)0).ToArray();
            var doubles = Enumerable.Range(0, n).Select(i => !InBox(i) ? 5.0 : rng.NextDouble() < 0.4 ? odd[rng.Next(odd.Length)] : 0.0).ToArray();
            var floats = doubles.Select(v => (float)v).ToArray();
            Assert.That(bytes.Where((b, i) => InBox(i)).Count(b => b > 127), Is.GreaterThan(0), "bytes above 127 in the box");
            AssertLists(SparseUnknowns.Of(bytes, box, nx, ny, nz, always: true), bytes, box, nx, ny, nz, $"bytes, width {width}");
            AssertLists(SparseUnknowns.Of(doubles, box, nx, ny, nz, always: true), doubles, box, nx, ny, nz, $"doubles, width {width}");
            AssertLists(SparseUnknowns.Of(floats, box, nx, ny, nz, always: true), floats, box, nx, ny, nz, $"floats, width {width}");
        }
    }

    /// <summary>Byte diagonals of 128-255 only (every unknown's top bit set), a row of 64: all of them unknowns, none
    /// counted as negative by a signed compare; the count pass and the fill agree (they would throw if not).</summary>
    [Test]
    public void ByteDiagonalsAbove127AreUnknowns()
    {
        int nx = 64, ny = 3, nz = 3;
        var d = Enumerable.Range(0, nx * ny * nz).Select(i => (byte)(i % 3 == 0 ? 0 : 128 + i % 128)).ToArray();
        var box = new CellBox(0, nx - 1, 0, ny - 1, 0, nz - 1);
        AssertLists(SparseUnknowns.Of(d, box, nx, ny, nz, always: true), d, box, nx, ny, nz, "bytes 128-255");
        // the share's count reads the same bytes: 2/3 of the box is no sparse box
        Assert.That(SparseUnknowns.Of(d, nx, ny, nz), Is.Null, "two thirds of the box are unknowns");
    }
}
