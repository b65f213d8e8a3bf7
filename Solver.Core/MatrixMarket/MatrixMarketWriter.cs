using System.Globalization;
using System.IO.Compression;
using System.Text;
using Dcdm.Sparse;

namespace Dcdm.MatrixMarket;

/// <summary>
/// Writes Matrix Market files with round-trip number formatting (reading back gives the same bits).
/// A path ending in .gz is gzip-compressed. The file is written beside the target and renamed into
/// place, so a failed write never leaves a half-written file under the final name.
/// </summary>
public static class MatrixMarketWriter
{
    /// <summary>Writes a coordinate real file; with <paramref name="symmetric"/>, only the lower triangle (the caller vouches for symmetry).</summary>
    public static void WriteMatrix(string path, CsrMatrix matrix, bool symmetric = false, string? comment = null)
    {
        if (symmetric && !matrix.IsSquare) throw new ArgumentException($"{path}: a symmetric file needs a square matrix, this one is {matrix.Rows} x {matrix.Columns}");
        long entries = 0;
        for (int i = 0; i < matrix.Rows; i++)
            for (int k = matrix.RowPointers[i]; k < matrix.RowPointers[i + 1]; k++)
                if (!symmetric || matrix.ColumnIndices[k] <= i) entries++;

        WriteAtomically(path, output =>
        {
            var w = new Utf8LineWriter(output);
            w.Text($"%%MatrixMarket matrix coordinate real {(symmetric ? "symmetric" : "general")}\n");
            WriteComment(w, comment);
            w.Text($"{matrix.Rows} {matrix.Columns} {entries}\n");
            for (int i = 0; i < matrix.Rows; i++)
                for (int k = matrix.RowPointers[i]; k < matrix.RowPointers[i + 1]; k++)
                {
                    int j = matrix.ColumnIndices[k];
                    if (symmetric && j > i) continue;
                    w.Integer(i + 1); w.Byte((byte)' '); w.Integer(j + 1); w.Byte((byte)' '); w.Real(matrix.Values[k]); w.Byte((byte)'\n');
                }
            w.Flush();
        });
    }

    /// <summary>Writes a dense vector as an array real file with one column.</summary>
    public static void WriteVector(string path, ReadOnlySpan<double> vector, string? comment = null)
    {
        var copy = vector.ToArray();
        WriteAtomically(path, output =>
        {
            var w = new Utf8LineWriter(output);
            w.Text("%%MatrixMarket matrix array real general\n");
            WriteComment(w, comment);
            w.Text($"{copy.Length} 1\n");
            foreach (double v in copy) { w.Real(v); w.Byte((byte)'\n'); }
            w.Flush();
        });
    }

    static void WriteComment(Utf8LineWriter w, string? comment)
    {
        if (comment is null) return;
        foreach (var line in comment.Split('\n')) w.Text($"% {line.TrimEnd('\r')}\n");
    }

    static void WriteAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                if (full.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
                {
                    using var gz = new GZipStream(file, CompressionLevel.Fastest);
                    write(gz);
                }
                else write(file);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    /// <summary>Formats numbers straight into a byte buffer: no string per entry.</summary>
    sealed class Utf8LineWriter(Stream output)
    {
        readonly byte[] _buffer = new byte[1 << 16];
        int _used;

        public void Byte(byte b) { Ensure(1); _buffer[_used++] = b; }
        public void Text(string s) { Ensure(Encoding.UTF8.GetMaxByteCount(s.Length)); _used += Encoding.UTF8.GetBytes(s, _buffer.AsSpan(_used)); }
        public void Integer(int v) { Ensure(16); v.TryFormat(_buffer.AsSpan(_used), out int n, default, CultureInfo.InvariantCulture); _used += n; }
        // "R": the shortest text that parses back to the same double.
        public void Real(double v) { Ensure(32); v.TryFormat(_buffer.AsSpan(_used), out int n, "R", CultureInfo.InvariantCulture); _used += n; }
        public void Flush() { output.Write(_buffer, 0, _used); _used = 0; }
        void Ensure(int n) { if (_used + n > _buffer.Length) Flush(); }
    }
}
