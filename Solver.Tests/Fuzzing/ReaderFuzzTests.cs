using System.Text;
using CsCheck;
using Dcdm.MatrixMarket;
using Dcdm.Models;

namespace Dcdm.Tests.Fuzzing;

/// <summary>
/// Generated inputs for the two readers of untrusted files (CsCheck): each either reads or refuses with its own
/// exception (MatrixMarketException, ModelFileException), never another, and allocates a bounded amount. The count
/// is DCDM_FUZZ_COUNT (default 100,000 of each; docs/benchmarks.md has a run).
/// </summary>
[NonParallelizable]
public class ReaderFuzzTests
{
    static long Count(long fallback) => long.TryParse(Environment.GetEnvironmentVariable("DCDM_FUZZ_COUNT"), out long n) ? n : fallback;

    // pieces of real files, recombined: headers, size lines (with extreme numbers), entries, junk
    static readonly string[] Banners =
    [
        "%%MatrixMarket matrix coordinate real symmetric", "%%MatrixMarket matrix coordinate real general", "%%MatrixMarket matrix coordinate pattern symmetric",
        "%%MatrixMarket matrix coordinate integer general", "%%MatrixMarket matrix array real general", "%%MatrixMarket matrix coordinate complex general",
        "%%MatrixMarket vector coordinate real general", "%%matrixmarket MATRIX Coordinate Real Symmetric", "%%MatrixMarket", "", "% comment",
    ];
    static readonly Gen<string> Number = Gen.OneOf(
        Gen.Int[-3, 12].Select(i => i.ToString()), Gen.Long.Select(l => l.ToString()), Gen.Double.Select(d => d.ToString("R")),
        Gen.OneOf<string>("0", "-1", "2147483647", "2147483648", "99999999999999999999", "1e308", "-1e-320", "NaN", "inf", "0x10", "1.5", "", " ", "\t"));
    static readonly Gen<string> Line = Gen.OneOf(
        Gen.OneOf<string>(Banners),
        Number.Array[0, 4].Select(parts => string.Join(' ', parts)),
        Gen.String[0, 12],
        Gen.OneOf<string>("% a comment", "", "   ", "1 1 1", "2 2 4.5", "3 1 -1", "1 2"));
    // well-formed small coordinate files: the reader must read every one
    static readonly Gen<string> ValidText = Gen.Int[1, 6].SelectMany(n => Gen.Select(Gen.Int[0, n - 1], Gen.Int[0, n - 1], Gen.Double[-10, 10]).Array[0, n * n]
        .Select(entries => $"%%MatrixMarket matrix coordinate real general\n{n} {n} {entries.Length}\n"
                           + string.Concat(entries.Select(e => $"{e.Item1 + 1} {e.Item2 + 1} {e.Item3:R}\n"))));
    static readonly Gen<string> MatrixMarketText = Gen.Frequency(
        (2, ValidText),
        (2, ValidText.Select(Gen.Int[0, 200], Gen.Char, (text, at, c) => at < text.Length ? text[..at] + c + text[(at + 1)..] : text[..(at % (text.Length + 1))])),
        (3, Gen.Select(Gen.OneOf<string>(Banners), Number.Array[2, 3], Line.Array[0, 12],
            (banner, size, rest) => banner + "\n" + string.Join(' ', size) + "\n" + string.Join("\n", rest))),
        (1, Line.Array[0, 8].Select(lines => string.Join("\n", lines))),
        (1, Gen.Byte.Array[0, 64].Select(bytes => Encoding.Latin1.GetString(bytes))));

    [Test]
    public void TheMatrixMarketReaderReadsOrRefusesWithItsOwnException()
    {
        int read = 0, refused = 0;
        MatrixMarketText.Sample(text =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                var content = MatrixMarketReader.Read(new MemoryStream(Encoding.Latin1.GetBytes(text)), "fuzz.mtx");
                if (content.Header.Format == MatrixMarketFormat.Coordinate && content.Header.Rows == content.Header.Columns) content.ToCsr();
                Interlocked.Increment(ref read);
            }
            catch (MatrixMarketException) { Interlocked.Increment(ref refused); }
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > 100L << 20) throw new InvalidOperationException($"{allocated} bytes allocated for a {text.Length}-character input");
        }, iter: Count(100_000), threads: 1);
        TestContext.Out.WriteLine($"{read} read, {refused} refused");
        Assert.That(read, Is.GreaterThan(Count(100_000) / 10), "the well-formed ones are read");
        Assert.That(refused, Is.GreaterThan(0));
    }

    [Test]
    public void TheModelFileReaderReadsOrRefusesWithItsOwnException()
    {
        var shipped = File.ReadAllBytes(TestData.Model("stencil.safetensors"));
        // the shipped file with bytes changed, cut short or its header length rewritten
        var mutated = Gen.Select(Gen.Int[0, shipped.Length - 1].Array[1, 8], Gen.Byte.Array[1, 8], Gen.Int[0, shipped.Length], Gen.Int[0, 3],
            (positions, values, cut, kind) =>
            {
                var bytes = (byte[])shipped.Clone();
                for (int i = 0; i < Math.Min(positions.Length, values.Length); i++)
                    bytes[kind == 0 ? positions[i] % 8 : kind == 1 ? 8 + positions[i] % 300 : positions[i]] = values[i];
                return kind == 3 ? bytes[..cut] : bytes;
            });
        int read = 0, refused = 0;
        mutated.Sample(bytes =>
        {
            try
            {
                var file = ModelFile.Parse(bytes, "fuzz.safetensors");
                if (file.Architecture == StencilDirectionModel.ArchitectureName) _ = new StencilDirectionModel(file);
                Interlocked.Increment(ref read);
            }
            catch (ModelFileException) { Interlocked.Increment(ref refused); }
        }, iter: Count(100_000), threads: 1);
        TestContext.Out.WriteLine($"{read} read, {refused} refused");
        Assert.That(read + refused, Is.GreaterThan(0));
        Assert.That(refused, Is.GreaterThan(0));
    }
}
