using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;

namespace Dcdm.Training;

/// <summary>
/// Draws loss.csv (training loss per step, validation loss where measured) as a small PNG: log10 of
/// the loss against the step, training in blue, validation in red. A plain encoder (8-bit RGB, zlib).
/// </summary>
public static class LossCurve
{
    const int Width = 640, Height = 360, Margin = 30;

    public static void WritePng(string csv, string png)
    {
        var rows = File.ReadAllLines(csv).Skip(1).Select(l => l.Split(',')).Where(p => p.Length >= 2).ToArray();
        var train = rows.Select(p => (step: double.Parse(p[0], CultureInfo.InvariantCulture), loss: double.Parse(p[1], CultureInfo.InvariantCulture))).Where(t => t.loss > 0).ToArray();
        var validation = rows.Where(p => p.Length > 2 && p[2].Length > 0)
            .Select(p => (step: double.Parse(p[0], CultureInfo.InvariantCulture), loss: double.Parse(p[2], CultureInfo.InvariantCulture))).Where(t => t.loss > 0).ToArray();
        var pixels = new byte[Width * Height * 3];
        Array.Fill(pixels, (byte)255);
        if (train.Length > 0)
        {
            double maxStep = train.Max(t => t.step);
            var all = train.Concat(validation).Select(t => Math.Log10(t.loss)).ToArray();
            double lo = Math.Floor(all.Min()), hi = Math.Ceiling(all.Max());
            if (hi <= lo) hi = lo + 1;
            for (double decade = lo; decade <= hi; decade++) HorizontalLine(pixels, Y(decade, lo, hi), 220);
            HorizontalLine(pixels, Height - Margin, 0);
            for (int y = Margin; y <= Height - Margin; y++) Set(pixels, Margin, y, 0, 0, 0);
            Plot(pixels, train, maxStep, lo, hi, (40, 90, 200));
            Plot(pixels, validation, maxStep, lo, hi, (210, 40, 40));
        }
        File.WriteAllBytes(png, Encode(pixels));
    }

    static int Y(double logLoss, double lo, double hi) => (int)(Height - Margin - (logLoss - lo) / (hi - lo) * (Height - 2 * Margin));

    static void Plot(byte[] pixels, (double step, double loss)[] points, double maxStep, double lo, double hi, (byte r, byte g, byte b) color)
    {
        (int x, int y)? previous = null;
        foreach (var (step, loss) in points)
        {
            int x = Margin + (int)(step / Math.Max(1, maxStep) * (Width - 2 * Margin));
            int y = Y(Math.Log10(loss), lo, hi);
            if (previous is { } p)
            {
                int steps = Math.Max(Math.Abs(x - p.x), Math.Abs(y - p.y)) + 1;
                for (int s = 0; s <= steps; s++) Set(pixels, p.x + (x - p.x) * s / steps, p.y + (y - p.y) * s / steps, color.r, color.g, color.b);
            }
            else Set(pixels, x, y, color.r, color.g, color.b);
            previous = (x, y);
        }
    }

    static void HorizontalLine(byte[] pixels, int y, byte shade)
    {
        for (int x = Margin; x < Width - Margin; x++) Set(pixels, x, y, shade, shade, shade);
    }

    static void Set(byte[] pixels, int x, int y, byte r, byte g, byte b)
    {
        if (x < 0 || x >= Width || y < 0 || y >= Height) return;
        int i = (y * Width + x) * 3;
        pixels[i] = r; pixels[i + 1] = g; pixels[i + 2] = b;
    }

    static byte[] Encode(byte[] rgb)
    {
        using var png = new MemoryStream();
        png.Write([137, 80, 78, 71, 13, 10, 26, 10]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = 8; header[9] = 2; // 8-bit RGB
        Chunk(png, "IHDR", header);
        using var raw = new MemoryStream();
        using (var z = new ZLibStream(raw, CompressionLevel.Optimal, leaveOpen: true))
            for (int y = 0; y < Height; y++)
            {
                z.WriteByte(0); // no filter
                z.Write(rgb, y * Width * 3, Width * 3);
            }
        Chunk(png, "IDAT", raw.ToArray());
        Chunk(png, "IEND", []);
        return png.ToArray();
    }

    static void Chunk(Stream s, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typeBytes = System.Text.Encoding.ASCII.GetBytes(type);
        s.Write(typeBytes);
        s.Write(data);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(typeBytes.Concat(data).ToArray()));
        s.Write(crc);
    }

    static uint Crc(byte[] bytes)
    {
        uint c = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            c ^= b;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
        }
        return c ^ 0xFFFFFFFF;
    }
}
