using Dcdm.MatrixMarket;
using Dcdm.Sparse;

namespace Dcdm.Tests.Sparse;

public class CsrMatrixTests
{
    [Test]
    public void FromCoordinatesSumsDuplicatesAndSortsColumns()
    {
        var a = CsrMatrix.FromCoordinates(2, 3, [1, 0, 0, 1, 0], [2, 2, 0, 2, 2], [1.0, 2.0, 3.0, 4.0, 5.0]);
        Assert.That(a.RowPointers, Is.EqualTo(new[] { 0, 2, 3 }));
        Assert.That(a.ColumnIndices, Is.EqualTo(new[] { 0, 2, 2 }));
        Assert.That(a.Values, Is.EqualTo(new[] { 3.0, 7.0, 5.0 }));
    }

    /// <summary>One triangle of a symmetric matrix, mirrored while it is placed, is the matrix its explicit list of both
    /// triangles gives, bit for bit: random triplets in random order with repeats (summed in the same order), diagonal
    /// entries (not mirrored) and entries of both triangles.</summary>
    [TestCase(1, 7, 40)]
    [TestCase(2, 50, 600)]
    public void ASymmetricTriangleMirroredAsItIsPlacedIsTheExplicitMatrix(int seed, int size, int count)
    {
        var rng = new Random(seed);
        int[] rows = new int[count], columns = new int[count];
        var values = new double[count];
        for (int k = 0; k < count; k++)
            (rows[k], columns[k], values[k]) = k > 0 && rng.Next(5) == 0 ? (rows[k - 1], columns[k - 1], rng.NextDouble()) : (rng.Next(size), rng.Next(size), rng.NextDouble() - 0.5);
        var (both, bothColumns, bothValues) = (new List<int>(), new List<int>(), new List<double>());
        for (int k = 0; k < count; k++)
        {
            both.Add(rows[k]); bothColumns.Add(columns[k]); bothValues.Add(values[k]);
            if (rows[k] != columns[k]) { both.Add(columns[k]); bothColumns.Add(rows[k]); bothValues.Add(values[k]); }
        }
        var expected = CsrMatrix.FromCoordinates(size, size, [.. both], [.. bothColumns], [.. bothValues]);
        var mirrored = CsrMatrix.FromSymmetricTriangle(size, rows, columns, values);
        Assert.That(mirrored.RowPointers, Is.EqualTo(expected.RowPointers));
        Assert.That(mirrored.ColumnIndices, Is.EqualTo(expected.ColumnIndices));
        Assert.That(mirrored.Values, Is.EqualTo(expected.Values));
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix.FromSymmetricTriangle(size, [size], [0], [1.0]));
    }

    [Test]
    public void FromCoordinatesRejectsOutOfRangeEntries() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CsrMatrix.FromCoordinates(2, 2, [2], [0], [1.0]));

    [Test]
    public void SymmetryCheckUsesARelativeTolerance()
    {
        Assert.That(MatrixMarketReader.ReadMatrix(TestData.Matrix("ani4.mtx")).CheckSymmetry().IsSymmetric, Is.True, "ani4 is symmetric up to round-off");
        var a = CsrMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [2e6, 1e6, 1e6 * (1 + 1e-13), 2e6]);
        Assert.That(a.CheckSymmetry().IsSymmetric, Is.True);
        var b = CsrMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [2.0, 1.0, 1.1, 2.0]);
        var check = b.CheckSymmetry();
        Assert.That(check.IsSymmetric, Is.False);
        Assert.That((check.Row, check.Column), Is.EqualTo((1, 0)).Or.EqualTo((0, 1)));
        var c = CsrMatrix.FromCoordinates(2, 2, [0, 0, 1], [0, 1, 1], [2.0, 1.0, 2.0]);
        Assert.That(c.CheckSymmetry().IsSymmetric, Is.False, "a missing mirror entry counts as zero");
    }

    [TestCase(50, 5)]
    [TestCase(20000, 9)] // large enough for the parallel path
    public void MultiplyMatchesAPlainLoop(int n, int perRow)
    {
        var a = RandomMatrix(n, perRow, seed: n);
        var rng = new Random(1);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble()).ToArray();
        var y = new double[n];
        a.Multiply(x, y);
        var y2 = new double[n];
        double fusedDot = a.MultiplyAndDot(x, y2);
        double dot = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += a.Values[k] * x[a.ColumnIndices[k]];
            Assert.That(y[i], Is.EqualTo(s), $"row {i}");
            Assert.That(y2[i], Is.EqualTo(s), $"row {i}, fused");
            dot += x[i] * s;
        }
        Assert.That(fusedDot, Is.EqualTo(dot).Within(1e-12 * Math.Abs(dot) + 1e-12));
    }

    [Test]
    public void RowBlocksCoverAllRowsInOrder()
    {
        var a = RandomMatrix(1000, 3, seed: 2);
        var blocks = a.BalancedRowBlocks(8);
        Assert.That(blocks[0], Is.EqualTo(0));
        Assert.That(blocks[^1], Is.EqualTo(1000));
        Assert.That(blocks, Is.Ordered.Ascending);
        Assert.That(blocks.Distinct().Count(), Is.EqualTo(blocks.Length));
    }

    [Test]
    public void SubmatrixKeepsOnlyTheChosenRowsAndColumns()
    {
        var a = CsrMatrix.FromCoordinates(3, 3, [0, 0, 1, 2, 2], [0, 2, 1, 0, 2], [1.0, 2.0, 3.0, 4.0, 5.0]);
        var s = a.Submatrix([0, 2]);
        Assert.That(s.Rows, Is.EqualTo(2));
        Assert.That(new[] { s[0, 0], s[0, 1], s[1, 0], s[1, 1] }, Is.EqualTo(new[] { 1.0, 2.0, 4.0, 5.0 }));
    }

    [TestCase(7)]
    [TestCase(1 << 17)] // parallel chunked path
    public void VectorKernelsMatchPlainLoops(int n)
    {
        var rng = new Random(n);
        var x = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var y = Enumerable.Range(0, n).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double dot = 0;
        for (int i = 0; i < n; i++) dot += x[i] * y[i];
        Assert.That(VectorOps.Dot(x, y), Is.EqualTo(dot).Within(1e-12 * n));

        var axpy = (double[])y.Clone();
        VectorOps.Axpy(0.3, x, axpy);
        var xpay = (double[])y.Clone();
        VectorOps.Xpay(x, -0.7, xpay);
        for (int i = 0; i < n; i++)
        {
            Assert.That(axpy[i], Is.EqualTo(y[i] + 0.3 * x[i]).Within(1e-15));
            Assert.That(xpay[i], Is.EqualTo(x[i] - 0.7 * y[i]).Within(1e-15));
        }

        var p = x; var q = y;
        var xs = Enumerable.Range(0, n).Select(i => (double)i).ToArray();
        var rs = Enumerable.Range(0, n).Select(i => 1.0 / (i + 1)).ToArray();
        var xRef = (double[])xs.Clone(); var rRef = (double[])rs.Clone();
        double rr = VectorOps.UpdateSolutionAndResidual(0.25, p, q, xs, rs);
        double rrRef = 0;
        for (int i = 0; i < n; i++) { xRef[i] += 0.25 * p[i]; rRef[i] -= 0.25 * q[i]; rrRef += rRef[i] * rRef[i]; }
        Assert.That(xs, Is.EqualTo(xRef).Within(1e-15));
        Assert.That(rs, Is.EqualTo(rRef).Within(1e-15));
        Assert.That(rr, Is.EqualTo(rrRef).Within(1e-12 * rrRef));
    }

    static CsrMatrix RandomMatrix(int n, int perRow, int seed)
    {
        var rng = new Random(seed);
        var r = new List<int>(); var c = new List<int>(); var v = new List<double>();
        for (int i = 0; i < n; i++)
            for (int k = 0; k < perRow; k++) { r.Add(i); c.Add(rng.Next(n)); v.Add(rng.NextDouble() - 0.5); }
        return CsrMatrix.FromCoordinates(n, n, r.ToArray(), c.ToArray(), v.ToArray());
    }
}
