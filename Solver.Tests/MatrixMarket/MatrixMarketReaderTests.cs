using System.IO.Compression;
using System.Text;
using Dcdm.MatrixMarket;
using Dcdm.Sparse;

namespace Dcdm.Tests.MatrixMarket;

public class MatrixMarketReaderTests
{
    [TestCase("nos6.mtx", 675, 675)]
    [TestCase("lap3D_7pt_n20.mtx", 8000, 8000)]
    [TestCase("Laplace3D10.mtx", 1000, 1000)]
    [TestCase("1138_bus.mtx", 1138, 1138)]
    [TestCase("ani4.mtx", 3081, 3081)]
    [TestCase("fluid16_A.mtx", 4096, 4096)]
    public void ReadsShippedMatricesAsSymmetric(string name, int rows, int columns)
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix(name));
        Assert.That((a.Rows, a.Columns), Is.EqualTo((rows, columns)));
        Assert.That(a.CheckSymmetry().IsSymmetric, Is.True, a.CheckSymmetry().ToString());
        Assert.That(VectorOps.AllFinite(a.Values), Is.True);
    }

    /// <summary>
    /// A coordinate file read in parallel blocks of lines (blocks of 64 KB here, so eight of them, each cut into parts)
    /// gives what a read line by line gives: the same entries (comments and blank lines among them, some lines ending
    /// in CRLF, none at the end of the file), or the same error at the same line: a bad value or index anywhere, more
    /// entries than declared (named at the first past the count, also where a bad line follows it or is that entry), and
    /// fewer.
    /// </summary>
    [TestCase("clean")]
    [TestCase("bad value")]
    [TestCase("bad row, last entry")]
    [TestCase("more entries")]
    [TestCase("more entries, then a bad value")]
    [TestCase("the entry past the count bad")]
    [TestCase("fewer entries")]
    public void ABlockReadGivesWhatALineReadGives(string kind)
    {
        const int written = 20_000;
        int declared = kind switch { "fewer entries" => written + 10, "more entries" or "more entries, then a bad value" or "the entry past the count bad" => written - 10, _ => written };
        var rng = new Random(3);
        var text = new StringBuilder($"%%MatrixMarket matrix coordinate real general\n% a comment\n300 300 {declared}\n");
        for (int e = 0; e < written; e++)
        {
            if (rng.Next(500) == 0) text.Append(rng.Next(2) == 0 ? "% a comment among the entries\n" : "  \n");
            string value = (rng.NextDouble() - 0.5).ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            string entry = (kind, e) switch
            {
                ("bad value", 13_000) or ("more entries, then a bad value", written - 5) or ("the entry past the count bad", written - 10) => $"{rng.Next(300) + 1} {rng.Next(300) + 1} 1.2.3",
                ("bad row, last entry", written - 1) => $"301 1 {value}",
                _ => $"{rng.Next(300) + 1} {rng.Next(300) + 1} {value}",
            };
            text.Append(entry).Append(e == written - 1 ? "" : rng.Next(7) == 0 ? "\r\n" : "\n");
        }
        byte[] bytes = Encoding.ASCII.GetBytes(text.ToString());
        (MatrixMarketContent? Content, string? Error) Read(int parallelEntries, int blockBytes)
        {
            var (entries, block) = (MatrixMarketReader.ParallelEntries, MatrixMarketReader.BlockBytes);
            (MatrixMarketReader.ParallelEntries, MatrixMarketReader.BlockBytes) = (parallelEntries, blockBytes);
            try { return (MatrixMarketReader.Read(new MemoryStream(bytes), "f.mtx"), null); }
            catch (MatrixMarketException e) { return (null, e.Message); }
            finally { (MatrixMarketReader.ParallelEntries, MatrixMarketReader.BlockBytes) = (entries, block); }
        }
        var (lineByLine, lineError) = Read(int.MaxValue, 1 << 16);
        var (inBlocks, blockError) = Read(1, 1 << 16);
        Assert.That(bytes, Has.Length.GreaterThan(8 * (1 << 16)), "several blocks");
        Assert.That(blockError, Is.EqualTo(lineError));
        if (kind == "clean")
        {
            Assert.That(lineError, Is.Null);
            Assert.That(inBlocks!.RowIndices, Is.EqualTo(lineByLine!.RowIndices));
            Assert.That(inBlocks.ColumnIndices, Is.EqualTo(lineByLine.ColumnIndices));
            Assert.That(inBlocks.Values, Is.EqualTo(lineByLine.Values));
        }
        else Assert.That(lineError, Does.Contain(kind switch
        {
            "bad value" => "expected a real value",
            "bad row, last entry" => "row index 301 is out of range",
            "fewer entries" => $"ended after {written} of the {declared}",
            _ => $"more entries than the {declared} declared", // before a bad line after it, and on a bad line that is that entry
        }), "each case fails as meant");
    }

    /// <summary>
    /// A gzip file damaged after its data (bytes of another member appended) or cut short: the block reader names the
    /// error where a read line by line meets it, after the lines read before the damage (the review's find: it named
    /// line 2, the block's start), and a bad line among those lines before the damage.
    /// </summary>
    [TestCase(false, true)]
    [TestCase(true, true)]
    [TestCase(false, false)]
    [TestCase(true, false)]
    public void ADamagedGzipFileIsNamedWhereALineReadMeetsIt(bool badThirdLine, bool appended)
    {
        const int n = 70_000; // above ParallelEntries, in one 16 MB block
        var text = new StringBuilder($"%%MatrixMarket matrix coordinate real general\n{n} {n} {n}\n");
        for (int i = 1; i <= n; i++) text.Append(badThirdLine && i == 1 ? "1 1 x\n" : $"{i} {i} {i}.5\n");
        var compressed = new MemoryStream();
        using (var gzip = new GZipStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) gzip.Write(Encoding.ASCII.GetBytes(text.ToString()));
        byte[] bytes = compressed.ToArray();
        bytes = appended ? [.. bytes, 0x1f, 0x8b, 0x63, 0, 0, 0, 0, 0, 0, 0] : bytes[..(bytes.Length - 100)];
        string path = Path.Combine(TestData.TempFolder(), "a.mtx.gz");
        File.WriteAllBytes(path, bytes);
        string Error(int parallelEntries)
        {
            var saved = MatrixMarketReader.ParallelEntries;
            MatrixMarketReader.ParallelEntries = parallelEntries;
            try { MatrixMarketReader.Read(path); return "read"; }
            catch (MatrixMarketException e) { return e.Message; }
            finally { MatrixMarketReader.ParallelEntries = saved; }
        }
        string lineByLine = Error(int.MaxValue);
        Assert.That(lineByLine, badThirdLine ? Does.Contain(":3: expected a real value") : Does.Not.Contain(":2:").And.Not.EqualTo("read"), "an error past the block's start");
        Assert.That(Error(1), Is.EqualTo(lineByLine));
    }

    [Test]
    public void SymmetricStorageIsMirrored()
    {
        // lap3D is stored as the lower triangle: the 7-point Laplacian has 7 entries in interior rows.
        var content = MatrixMarketReader.Read(TestData.Matrix("lap3D_7pt_n20.mtx"));
        Assert.That(content.Header.Symmetry, Is.EqualTo(MatrixMarketSymmetry.Symmetric));
        var a = content.ToCsr();
        int interior = 10 + 20 * (10 + 20 * 10);
        Assert.That(a.RowPointers[interior + 1] - a.RowPointers[interior], Is.EqualTo(7));
        Assert.That(a.NonZeros, Is.EqualTo(2 * content.Values.Length - 8000));
    }

    [Test]
    public void ReadsFluidRightHandSideVector()
    {
        var b = MatrixMarketReader.ReadVector(TestData.Matrix("fluid16_b.mtx"));
        Assert.That(b, Has.Length.EqualTo(4096));
    }

    [Test]
    public void WriteThenReadGivesTheSameBits([Values] bool symmetric, [Values] bool gzip)
    {
        var rng = new Random(7);
        int n = 300;
        var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
        double[] special = [double.Epsilon, -double.Epsilon, double.MaxValue, double.MinValue, 1e-310, 0.1, 1.0 / 3.0, -0.0, 0.0];
        for (int k = 0; k < 2000; k++)
        {
            int i = rng.Next(n), j = rng.Next(n);
            double v = k < special.Length ? special[k] : (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-300, 300));
            rows.Add(i); cols.Add(j); vals.Add(v);
            if (symmetric && i != j) { rows.Add(j); cols.Add(i); vals.Add(v); }
        }
        var a = CsrMatrix.FromCoordinates(n, n, rows.ToArray(), cols.ToArray(), vals.ToArray());
        string path = Path.Combine(TestData.TempFolder(), gzip ? "a.mtx.gz" : "a.mtx");
        MatrixMarketWriter.WriteMatrix(path, a, symmetric, "round trip\nsecond comment line");
        var back = MatrixMarketReader.ReadMatrix(path);
        Assert.That(back.RowPointers, Is.EqualTo(a.RowPointers));
        Assert.That(back.ColumnIndices, Is.EqualTo(a.ColumnIndices));
        Assert.That(back.Values.Select(BitConverter.DoubleToInt64Bits), Is.EqualTo(a.Values.Select(BitConverter.DoubleToInt64Bits)));
    }

    [Test]
    public void VectorRoundTripIsBitExact([Values] bool gzip)
    {
        var rng = new Random(3);
        var v = Enumerable.Range(0, 1001).Select(_ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30))).ToArray();
        string path = Path.Combine(TestData.TempFolder(), gzip ? "v.mtx.gz" : "v.mtx");
        MatrixMarketWriter.WriteVector(path, v);
        Assert.That(MatrixMarketReader.ReadVector(path), Is.EqualTo(v));
        if (gzip) Assert.That(File.ReadAllBytes(path)[..2], Is.EqualTo(new byte[] { 0x1f, 0x8b }));
    }

    [Test]
    public void ReadsPatternAndIntegerFieldsAndDuplicates()
    {
        var a = Parse("%%MatrixMarket matrix coordinate pattern general\n% comment\n\n3 3 3\n1 1\n2 2\n3 1\n").ToCsr();
        Assert.That(a[2, 0], Is.EqualTo(1.0));
        var b = Parse("%%MatrixMarket matrix coordinate integer symmetric\n2 2 3\n1 1 4\n2 1 -1\n2 1 -2\n").ToCsr();
        Assert.That(b[0, 1], Is.EqualTo(-3.0), "duplicates are summed, then mirrored");
        Assert.That(b[1, 0], Is.EqualTo(-3.0));
        var c = Parse("%%matrixmarket MATRIX Coordinate Real General\r\n2 2 1\r\n1 2 1.5e+00\r\n").ToCsr();
        Assert.That(c[0, 1], Is.EqualTo(1.5), "banner words are case-insensitive, CRLF accepted");
    }

    [Test]
    public void ReadsArrayVectorsWithSeveralValuesPerLine()
    {
        var v = Parse("%%MatrixMarket matrix array real general\n4 1\n1 2\n3\n4.5\n").ToVector("mem");
        Assert.That(v, Is.EqualTo(new[] { 1.0, 2.0, 3.0, 4.5 }));
    }

    // Every bad input names the line and what was expected.
    [TestCase("", 1, "empty")]
    [TestCase("3 3 1\n1 1 1\n", 1, "banner")]
    [TestCase("%%MatrixMarket vector coordinate real general\n1 1 1\n1 1 1\n", 1, "object 'matrix'")]
    [TestCase("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1, "complex")]
    [TestCase("%%MatrixMarket matrix coordinate real hermitian\n1 1 1\n1 1 1\n", 1, "hermitian")]
    [TestCase("%%MatrixMarket matrix coordinate real skew-symmetric\n1 1 1\n1 1 1\n", 1, "skew-symmetric")]
    [TestCase("%%MatrixMarket matrix sparse real general\n1 1 1\n1 1 1\n", 1, "format")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n", 2, "size line")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 x 1\n", 2, "number of columns")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3\n", 2, "number of entries")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n2 2 5\n", 2, "only 4 positions")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 1\n", 4, "ended after 1 of the 2")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1\n2 2 2\n", 4, "more entries")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n4 1 1\n", 3, "row index 4 is out of range")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 0 1\n", 3, "column index 0 is out of range")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 nan\n", 3, "NaN or infinite")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 -Infinity\n", 3, "NaN or infinite")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1e999\n", 3, "NaN or infinite")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 abc\n", 3, "expected a real value")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1\n", 3, "expected a value")]
    [TestCase("%%MatrixMarket matrix coordinate real general\n3 3 1\n1 1 1 7\n", 3, "expected 'row column value'")]
    [TestCase("%%MatrixMarket matrix coordinate integer general\n3 3 1\n1 1 1.5\n", 3, "integer value")]
    [TestCase("%%MatrixMarket matrix coordinate real symmetric\n3 2 1\n1 1 1\n", 2, "must be square")]
    [TestCase("%%MatrixMarket matrix array real general\n3 1\n1\n2\n", 5, "ended after 2 of the 3 values")]
    [TestCase("%%MatrixMarket matrix array real general\n2 1\n1\n2\n3\n", 5, "more values")]
    [TestCase("%%MatrixMarket matrix array pattern general\n2 1\n", 1, "pattern")]
    public void BadInputNamesFileLineAndExpectation(string text, int line, string expected)
    {
        var e = Assert.Throws<MatrixMarketException>(() => Parse(text, "bad.mtx"))!;
        Assert.That(e.Line, Is.EqualTo(line), e.Message);
        Assert.That(e.Message, Does.StartWith($"bad.mtx:{line}: "));
        Assert.That(e.Message, Does.Contain(expected));
    }

    [Test]
    public void TruncatedGzipIsReportedWithTheFileName()
    {
        string dir = TestData.TempFolder();
        string good = Path.Combine(dir, "a.mtx.gz");
        MatrixMarketWriter.WriteMatrix(good, MatrixMarketReader.ReadMatrix(TestData.Matrix("nos6.mtx")));
        byte[] bytes = File.ReadAllBytes(good);
        string cut = Path.Combine(dir, "cut.mtx.gz");
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(cut))!;
        Assert.That(e.Message, Does.StartWith(cut + ":"));
    }

    [Test]
    public void MissingFileIsAMatrixMarketError()
    {
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix("/nonexistent/dir/a.mtx"))!;
        Assert.That(e.Message, Does.Contain("/nonexistent/dir/a.mtx").And.Contain("cannot open"));
    }

    [Test]
    public void FailedWriteLeavesNoFileBehind()
    {
        string dir = TestData.TempFolder();
        string path = Path.Combine(dir, "x.mtx");
        File.WriteAllText(path, "previous content");
        var a = CsrMatrix.FromCoordinates(2, 3, [0], [2], [1.0]);
        Assert.Throws<ArgumentException>(() => MatrixMarketWriter.WriteMatrix(path, a, symmetric: true));
        Assert.That(File.ReadAllText(path), Is.EqualTo("previous content"));
        Assert.That(Directory.GetFiles(dir), Has.Length.EqualTo(1), "no temporary file left");
    }

    [Test]
    public void LongFileStreamsAcrossBufferBoundaries()
    {
        // 200k entries: several 1 MiB buffer refills, lines split across them.
        var sb = new StringBuilder("%%MatrixMarket matrix coordinate real general\n1000 1000 200000\n");
        var rng = new Random(1);
        var expected = new double[200000];
        for (int k = 0; k < expected.Length; k++)
        {
            expected[k] = rng.NextDouble();
            sb.Append(k % 1000 + 1).Append(' ').Append(k / 1000 % 1000 + 1).Append(' ').Append(expected[k].ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append('\n');
        }
        var content = Parse(sb.ToString());
        Assert.That(content.Values, Is.EqualTo(expected));
    }

    static MatrixMarketContent Parse(string text, string name = "mem.mtx") =>
        MatrixMarketReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text)), name);
}
