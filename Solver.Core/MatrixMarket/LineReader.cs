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
}
