using System.Runtime.ExceptionServices;

namespace Dcdm.MatrixMarket;

/// <summary>
/// Hands out lines of a byte stream as spans into one reusable buffer: no string per line.
/// A span stays valid until the next call. Line endings (\n or \r\n) are stripped.
/// </summary>
internal sealed class LineReader
{
    readonly Stream _stream;
    byte[] _buffer = new byte[1 << 20];
    int _start, _end;
    bool _eof;
    ExceptionDispatchInfo? _failed; // a read that failed after TryReadLines had lines to hand out

    public long LineNumber { get; private set; }

    public LineReader(Stream stream) => _stream = stream;

    public bool TryReadLine(out ReadOnlySpan<byte> line)
    {
        while (true)
        {
            int nl = _buffer.AsSpan(_start, _end - _start).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                line = Trim(_buffer.AsSpan(_start, nl));
                _start += nl + 1;
                LineNumber++;
                return true;
            }
            if (_eof)
            {
                if (_start == _end) { line = default; return false; }
                line = Trim(_buffer.AsSpan(_start, _end - _start));
                _start = _end;
                LineNumber++;
                return true;
            }
            Fill();
        }
    }

    /// <summary>
    /// Copies whole lines, at least <paramref name="bytes"/> of them unless the stream ends first, into
    /// <paramref name="block"/> (grown when short) as they are, line endings kept: each ends with '\n' but a last one at
    /// the end of the stream. <see cref="LineNumber"/> moves past them, as reading them one by one would. False at the end.
    /// </summary>
    public bool TryReadLines(int bytes, ref byte[] block, out int length)
    {
        _failed?.Throw(); // where a read line by line meets it: after the lines before it
        length = 0;
        while (true)
        {
            var available = _buffer.AsSpan(_start, _end - _start);
            int take = _eof ? available.Length : available.LastIndexOf((byte)'\n') + 1; // whole lines only, but at the end
            if (take > 0)
            {
                if (block.Length < length + take) Array.Resize(ref block, Math.Max(2 * block.Length, length + take));
                available[..take].CopyTo(block.AsSpan(length));
                length += take;
                _start += take;
            }
            if (_eof || length >= bytes) break;
            try { Fill(); }
            catch (Exception e) when (length > 0 && e is IOException or InvalidDataException)
            {
                // the lines taken come first, as they would line by line (an error among them is the one named)
                _failed = ExceptionDispatchInfo.Capture(e);
                break;
            }
        }
        LineNumber += CountLines(block.AsSpan(0, length));
        return length > 0;
    }

    void Fill()
    {
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start; _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2); // a line longer than the buffer
        int read = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (read == 0) _eof = true; else _end += read;
    }

    static ReadOnlySpan<byte> Trim(ReadOnlySpan<byte> s) => s.Length > 0 && s[^1] == (byte)'\r' ? s[..^1] : s;

    /// <summary>How many lines <paramref name="text"/> holds: its line ends, and a last line without one.</summary>
    internal static int CountLines(ReadOnlySpan<byte> text) => text.Count((byte)'\n') + (text.Length > 0 && text[^1] != (byte)'\n' ? 1 : 0);

    /// <summary>The first line of <paramref name="text"/> without its ending, as <see cref="TryReadLine"/> gives it;
    /// <paramref name="text"/> moves past it.</summary>
    internal static ReadOnlySpan<byte> TakeLine(ref ReadOnlySpan<byte> text)
    {
        int newline = text.IndexOf((byte)'\n');
        var line = newline < 0 ? text : text[..newline];
        text = newline < 0 ? default : text[(newline + 1)..];
        return Trim(line);
    }
}
