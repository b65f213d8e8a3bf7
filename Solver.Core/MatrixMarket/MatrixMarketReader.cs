using System.Buffers.Text;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Dcdm.Sparse;

namespace Dcdm.MatrixMarket;

/// <summary>
/// Streaming Matrix Market reader: coordinate real / integer / pattern, general / symmetric, and
/// general array files, plain or gzip-compressed (detected from the content, not the name).
/// Every problem raises a <see cref="MatrixMarketException"/> naming the file and line; nothing is
/// returned from a failed read.
/// </summary>
public static class MatrixMarketReader
{
    /// <summary>Reads a sparse matrix (coordinate or array file) into CSR.</summary>
    public static CsrMatrix ReadMatrix(string path) => Read(path).ToCsr();

    /// <summary>Reads a vector: an array file with one column, or a coordinate file with one column.</summary>
    public static double[] ReadVector(string path) => Read(path).ToVector(path);

    /// <summary>Reads a file as stored.</summary>
    public static MatrixMarketContent Read(string path)
    {
        if (Directory.Exists(path)) throw new MatrixMarketException(path, 0, "is a folder, not a Matrix Market file");
        FileStream file;
        try { file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new MatrixMarketException(path, 0, $"cannot open the file: {e.Message}", e);
        }
        using (file)
        {
            Span<byte> magic = stackalloc byte[2];
            int got = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false);
            file.Position = 0;
            bool gzip = got == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
            using Stream stream = gzip ? new GZipStream(file, CompressionMode.Decompress) : file;
            // what the file can hold: deflate expands at most about 1032x
            return Read(stream, path, gzip ? file.Length * 1032 : file.Length);
        }
    }

    /// <summary>Reads from an uncompressed stream; <paramref name="name"/> is used in error messages.</summary>
    public static MatrixMarketContent Read(Stream stream, string name) => Read(stream, name, stream.CanSeek ? stream.Length : null);

    /// <param name="capacity">The most bytes the content can have (from the file's size), or null when unknown: a size
    /// line declaring more than that is refused before anything is allocated for it.</param>
    static MatrixMarketContent Read(Stream stream, string name, long? capacity)
    {
        var lines = new LineReader(stream);
        try
        {
            var header = ReadHeader(lines, name, capacity);
            return header.Format == MatrixMarketFormat.Coordinate
                ? ReadCoordinate(lines, name, header)
                : ReadArray(lines, name, header);
        }
        catch (InvalidDataException e) // a corrupt or truncated gzip stream
        {
            throw new MatrixMarketException(name, lines.LineNumber, $"the compressed data is damaged: {e.Message}", e);
        }
    }

    static MatrixMarketHeader ReadHeader(LineReader lines, string name, long? capacity)
    {
        if (!lines.TryReadLine(out var banner))
            throw new MatrixMarketException(name, 1, "the file is empty; expected the banner '%%MatrixMarket matrix coordinate real general'");
        var rest = banner;
        var t0 = NextToken(ref rest);
        if (!Ascii.EqualsIgnoreCase(t0, "%%MatrixMarket"u8))
            throw new MatrixMarketException(name, 1, $"expected the banner '%%MatrixMarket matrix <format> <field> <symmetry>', found '{Show(banner)}'");
        var obj = NextToken(ref rest);
        if (!Ascii.EqualsIgnoreCase(obj, "matrix"u8))
            throw new MatrixMarketException(name, 1, $"expected object 'matrix' in the banner, found '{Show(obj)}'");
        var fmt = NextToken(ref rest); var fld = NextToken(ref rest); var sym = NextToken(ref rest);
        if (!NextToken(ref rest).IsEmpty || sym.IsEmpty)
            throw new MatrixMarketException(name, 1, $"expected exactly '%%MatrixMarket matrix <format> <field> <symmetry>', found '{Show(banner)}'");

        MatrixMarketFormat format =
            Ascii.EqualsIgnoreCase(fmt, "coordinate"u8) ? MatrixMarketFormat.Coordinate :
            Ascii.EqualsIgnoreCase(fmt, "array"u8) ? MatrixMarketFormat.Array :
            throw new MatrixMarketException(name, 1, $"expected format 'coordinate' or 'array', found '{Show(fmt)}'");
        MatrixMarketField field =
            Ascii.EqualsIgnoreCase(fld, "real"u8) || Ascii.EqualsIgnoreCase(fld, "double"u8) ? MatrixMarketField.Real :
            Ascii.EqualsIgnoreCase(fld, "integer"u8) ? MatrixMarketField.Integer :
            Ascii.EqualsIgnoreCase(fld, "pattern"u8) ? MatrixMarketField.Pattern :
            Ascii.EqualsIgnoreCase(fld, "complex"u8)
                ? throw new MatrixMarketException(name, 1, "field 'complex' is not supported: this solver handles real matrices (real, integer or pattern)")
                : throw new MatrixMarketException(name, 1, $"expected field 'real', 'integer' or 'pattern', found '{Show(fld)}'");
        MatrixMarketSymmetry symmetry =
            Ascii.EqualsIgnoreCase(sym, "general"u8) ? MatrixMarketSymmetry.General :
            Ascii.EqualsIgnoreCase(sym, "symmetric"u8) ? MatrixMarketSymmetry.Symmetric :
            Ascii.EqualsIgnoreCase(sym, "hermitian"u8) || Ascii.EqualsIgnoreCase(sym, "skew-symmetric"u8)
                ? throw new MatrixMarketException(name, 1, $"symmetry '{Show(sym)}' is not supported: expected 'general' or 'symmetric'")
                : throw new MatrixMarketException(name, 1, $"expected symmetry 'general' or 'symmetric', found '{Show(sym)}'");
        if (format == MatrixMarketFormat.Array && field == MatrixMarketField.Pattern)
            throw new MatrixMarketException(name, 1, "an array file cannot have field 'pattern'");
        if (format == MatrixMarketFormat.Array && symmetry != MatrixMarketSymmetry.General)
            throw new MatrixMarketException(name, 1, "array files must be 'general' here (dense vectors); store a symmetric matrix in coordinate format");

        // Comment lines, then the size line.
        ReadOnlySpan<byte> size;
        while (true)
        {
            if (!lines.TryReadLine(out size))
                throw new MatrixMarketException(name, lines.LineNumber + 1, format == MatrixMarketFormat.Coordinate
                    ? "the file ended before the size line 'rows columns entries'" : "the file ended before the size line 'rows columns'");
            if (!IsBlankOrComment(size)) break;
        }
        long line = lines.LineNumber;
        var s = size;
        int rows = (int)ParseCount(NextToken(ref s), name, line, "the number of rows", int.MaxValue);
        int cols = (int)ParseCount(NextToken(ref s), name, line, "the number of columns", int.MaxValue);
        long entries;
        if (format == MatrixMarketFormat.Coordinate)
        {
            entries = ParseCount(NextToken(ref s), name, line, "the number of entries", int.MaxValue);
            long positions = (long)rows * cols;
            if (entries > positions)
                throw new MatrixMarketException(name, line, $"{entries} entries declared, but a {rows} x {cols} matrix has only {positions} positions");
        }
        else
        {
            entries = (long)rows * cols;
            if (entries > int.MaxValue) throw new MatrixMarketException(name, line, $"a dense {rows} x {cols} array is too large to read");
        }
        if (!NextToken(ref s).IsEmpty)
            throw new MatrixMarketException(name, line, format == MatrixMarketFormat.Coordinate
                ? $"expected the size line 'rows columns entries', found '{Show(size)}'" : $"expected the size line 'rows columns', found '{Show(size)}'");
        if (symmetry == MatrixMarketSymmetry.Symmetric && rows != cols)
            throw new MatrixMarketException(name, line, $"a symmetric matrix must be square, found {rows} x {cols}");
        // an entry line takes at least 4 bytes ("1 1\n"), an array value 2 ("1\n")
        long least = format == MatrixMarketFormat.Coordinate ? 4 * entries : 2 * entries;
        if (capacity is long bytes && least > bytes)
            throw new MatrixMarketException(name, line, $"the size line declares {entries} entries, more than a file of {bytes} bytes can hold (truncated, or a wrong size line?)");
        // rows are allocated for; a file that is almost only empty rows is refused before they are
        if (format == MatrixMarketFormat.Coordinate && Math.Max(rows, cols) > 1024 * Math.Max(entries, 1))
            throw new MatrixMarketException(name, line, $"the size line declares {rows} x {cols} but only {entries} entries: more than 1024 rows per entry; "
                + "store only the rows that are unknowns (e.g. the compact layout with a flags file)");
        return new MatrixMarketHeader(format, field, symmetry, rows, cols, entries);
    }

    /// <summary>From this many declared entries a coordinate file's entries are parsed in parallel blocks of lines
    /// (<see cref="ReadCoordinateInBlocks"/>); settable for tests.</summary>
    internal static int ParallelEntries { get; set; } = 1 << 16;

    /// <summary>About how many bytes of whole lines <see cref="ReadCoordinateInBlocks"/> takes at a time; settable for tests.</summary>
    internal static int BlockBytes { get; set; } = 16 << 20;

    static MatrixMarketContent ReadCoordinate(LineReader lines, string name, MatrixMarketHeader h)
    {
        int count = (int)h.Entries;
        if (count >= ParallelEntries && Environment.ProcessorCount > 1) return ReadCoordinateInBlocks(lines, name, h);
        var ri = new int[count]; var ci = new int[count]; var vi = new double[count];
        int k = 0;
        while (lines.TryReadLine(out var text))
        {
            if (IsBlankOrComment(text)) continue;
            long line = lines.LineNumber;
            if (k == count) throw MoreEntries(name, line, count);
            ParseEntry(text, name, line, h, out ri[k], out ci[k], out vi[k]);
            k++;
        }
        if (k < count) throw FewerEntries(name, lines.LineNumber + 1, k, count);
        return new MatrixMarketContent(h, ri, ci, vi);
    }

    /// <summary>
    /// <see cref="ReadCoordinate"/> in blocks of about 16 MB of whole lines, each cut into parts parsed in parallel into a
    /// scratch list, then copied into place in order; the error named is the one a read line by line meets first: a
    /// part stops at its first, and the parts are taken in order (an entry past the declared count first, as there).
    /// Parsing is most of a large file's read (590 of 810 ms for 80 MB on one core).
    /// </summary>
    static MatrixMarketContent ReadCoordinateInBlocks(LineReader lines, string name, MatrixMarketHeader h)
    {
        int count = (int)h.Entries, parts = 4 * Environment.ProcessorCount, blockBytes = BlockBytes;
        var ri = new int[count]; var ci = new int[count]; var vi = new double[count];
        var block = new byte[blockBytes + (1 << 16)];
        int[] rows = [], columns = [];
        double[] values = [];
        var start = new int[parts + 1];
        var firstLine = new long[parts];
        var first = new int[parts + 1]; // each part's first slot in the scratch list: a slot per line
        var parsed = new int[parts];
        var failure = new MatrixMarketException?[parts];
        int k = 0;
        while (true)
        {
            long blockLine = lines.LineNumber + 1;
            if (!lines.TryReadLines(blockBytes, ref block, out int length)) break;
            var text = block;
            for (int p = 1; p < parts; p++)
            {
                int at = Math.Max(start[p - 1], (int)((long)length * p / parts)), newline = text.AsSpan(at, length - at).IndexOf((byte)'\n');
                start[p] = newline < 0 ? length : at + newline + 1;
            }
            start[parts] = length;
            for (int p = 0; p < parts; p++)
            {
                var part = text.AsSpan(start[p], start[p + 1] - start[p]);
                firstLine[p] = p == 0 ? blockLine : firstLine[p - 1] + (first[p] - first[p - 1]);
                first[p + 1] = first[p] + LineReader.CountLines(part);
            }
            if (rows.Length < first[parts]) (rows, columns, values) = (new int[first[parts]], new int[first[parts]], new double[first[parts]]);
            Array.Clear(failure);
            Parallel.For(0, parts, p =>
            {
                ReadOnlySpan<byte> part = text.AsSpan(start[p], start[p + 1] - start[p]);
                long line = firstLine[p] - 1;
                int m = 0;
                try
                {
                    while (!part.IsEmpty)
                    {
                        var lineText = LineReader.TakeLine(ref part);
                        line++;
                        if (IsBlankOrComment(lineText)) continue;
                        int slot = first[p] + m;
                        ParseEntry(lineText, name, line, h, out rows[slot], out columns[slot], out values[slot]);
                        m++;
                    }
                }
                catch (MatrixMarketException e) { failure[p] = e; }
                parsed[p] = m;
            });
            for (int p = 0; p < parts; p++)
            {
                int m = parsed[p];
                if (k + m > count) throw MoreEntries(name, EntryLine(text.AsSpan(start[p], start[p + 1] - start[p]), firstLine[p], count - k), count);
                rows.AsSpan(first[p], m).CopyTo(ri.AsSpan(k));
                columns.AsSpan(first[p], m).CopyTo(ci.AsSpan(k));
                values.AsSpan(first[p], m).CopyTo(vi.AsSpan(k));
                k += m;
                if (failure[p] is { } e) throw k == count ? MoreEntries(name, e.Line, count) : e; // that line was an entry past the count
            }
        }
        if (k < count) throw FewerEntries(name, lines.LineNumber + 1, k, count);
        return new MatrixMarketContent(h, ri, ci, vi);
    }

    /// <summary>The line of a part's entry number <paramref name="index"/> (0-based; blank and comment lines skipped).</summary>
    static long EntryLine(ReadOnlySpan<byte> part, long firstLine, int index)
    {
        long line = firstLine - 1;
        while (!part.IsEmpty)
        {
            line++;
            if (!IsBlankOrComment(LineReader.TakeLine(ref part)) && index-- == 0) return line;
        }
        throw new InvalidOperationException("the part holds fewer entries than were parsed from it");
    }

    /// <summary>One entry line: 'row column value' (or 'row column' in a pattern file), 1-based indices made 0-based.</summary>
    static void ParseEntry(ReadOnlySpan<byte> text, string name, long line, MatrixMarketHeader h, out int row, out int column, out double value)
    {
        var s = text;
        row = (int)ParseIndex(NextToken(ref s), name, line, "row", h.Rows) - 1;
        column = (int)ParseIndex(NextToken(ref s), name, line, "column", h.Columns) - 1;
        bool pattern = h.Field == MatrixMarketField.Pattern;
        value = pattern ? 1.0 : ParseValue(NextToken(ref s), name, line, h.Field);
        if (!NextToken(ref s).IsEmpty)
            throw new MatrixMarketException(name, line, pattern
                ? $"expected 'row column' (a pattern entry), found '{Show(text)}'"
                : $"expected 'row column value', found '{Show(text)}'");
    }

    static MatrixMarketException MoreEntries(string name, long line, int count) =>
        new(name, line, $"more entries than the {count} declared on the size line");

    static MatrixMarketException FewerEntries(string name, long line, int read, int count) =>
        new(name, line, $"the file ended after {read} of the {count} entries declared on the size line (truncated?)");

    static MatrixMarketContent ReadArray(LineReader lines, string name, MatrixMarketHeader h)
    {
        int count = (int)h.Entries;
        var values = new double[count];
        int k = 0;
        while (lines.TryReadLine(out var text))
        {
            if (IsBlankOrComment(text)) continue;
            long line = lines.LineNumber;
            var s = text;
            var token = NextToken(ref s);
            while (!token.IsEmpty) // one value per line is usual, several are allowed
            {
                if (k == count)
                    throw new MatrixMarketException(name, line, $"more values than the {count} = {h.Rows} x {h.Columns} declared on the size line");
                values[k++] = ParseValue(token, name, line, h.Field);
                token = NextToken(ref s);
            }
        }
        if (k < count)
            throw new MatrixMarketException(name, lines.LineNumber + 1, $"the file ended after {k} of the {count} values declared on the size line (truncated?)");
        return new MatrixMarketContent(h, Array.Empty<int>(), Array.Empty<int>(), values);
    }

    static bool IsBlankOrComment(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if (b == (byte)' ' || b == (byte)'\t' || b == (byte)'\r') continue;
            return b == (byte)'%';
        }
        return true;
    }

    static ReadOnlySpan<byte> NextToken(ref ReadOnlySpan<byte> s)
    {
        int i = 0;
        while (i < s.Length && (s[i] == (byte)' ' || s[i] == (byte)'\t' || s[i] == (byte)'\r')) i++;
        int start = i;
        while (i < s.Length && s[i] != (byte)' ' && s[i] != (byte)'\t' && s[i] != (byte)'\r') i++;
        var token = s[start..i];
        s = s[i..];
        return token;
    }

    static long ParseCount(ReadOnlySpan<byte> token, string name, long line, string what, long max)
    {
        if (token.IsEmpty)
            throw new MatrixMarketException(name, line, $"expected {what}, found the end of the line");
        if (!Utf8Parser.TryParse(token, out long value, out int used) || used != token.Length || value < 0 || value > max)
            throw new MatrixMarketException(name, line, $"expected {what} as a non-negative integer, found '{Show(token)}'");
        return value;
    }

    static long ParseIndex(ReadOnlySpan<byte> token, string name, long line, string what, int size)
    {
        if (token.IsEmpty)
            throw new MatrixMarketException(name, line, $"expected a {what} index, found the end of the line");
        if (!Utf8Parser.TryParse(token, out long value, out int used) || used != token.Length)
            throw new MatrixMarketException(name, line, $"expected a {what} index (an integer), found '{Show(token)}'");
        if (value < 1 || value > size)
            throw new MatrixMarketException(name, line, $"{what} index {value} is out of range: expected 1 to {size}");
        return value;
    }

    static double ParseValue(ReadOnlySpan<byte> token, string name, long line, MatrixMarketField field)
    {
        if (token.IsEmpty)
            throw new MatrixMarketException(name, line, "expected a value, found the end of the line");
        double value;
        if (field == MatrixMarketField.Integer)
        {
            if (!Utf8Parser.TryParse(token, out long integer, out int used) || used != token.Length)
                throw new MatrixMarketException(name, line, $"expected an integer value (field 'integer'), found '{Show(token)}'");
            value = integer;
        }
        else if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
            throw new MatrixMarketException(name, line, $"expected a real value, found '{Show(token)}'");
        if (!double.IsFinite(value))
            throw new MatrixMarketException(name, line, $"the value '{Show(token)}' is NaN or infinite; expected a finite number");
        return value;
    }

    static string Show(ReadOnlySpan<byte> s)
    {
        const int max = 80;
        string text = Encoding.UTF8.GetString(s.Length > max ? s[..max] : s);
        return s.Length > max ? text + "..." : text;
    }
}
