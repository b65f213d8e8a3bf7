using SkiaSharp;

namespace Dcdm.Tests.Plots;

/// <summary>Checks a plot file: the PNG signature, the size in its header, and that the series' colours were drawn.</summary>
public static class PlotImage
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0d, 0x0a, 0x1a, 0x0a];

    public static void AssertPng(string path, int width, int height, params SKColor[] drawn)
    {
        Assert.That(File.Exists(path), path);
        var bytes = File.ReadAllBytes(path);
        Assert.That(bytes.Take(8), Is.EqualTo(Signature), "PNG signature");
        Assert.That(bytes.Length, Is.GreaterThan(5_000), "a plot with axes, labels and lines, not an empty image");
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)), Is.EqualTo(width), "IHDR width");
        Assert.That(System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)), Is.EqualTo(height), "IHDR height");
        using var image = SKBitmap.Decode(bytes);
        Assert.That(image, Is.Not.Null, "decodes");
        var pixels = image.Pixels;
        foreach (var colour in drawn)
            Assert.That(pixels.Count(p => Close(p, colour)), Is.GreaterThan(50), $"pixels of the series colour {colour}");
    }

    static bool Close(SKColor a, SKColor b) => Math.Abs(a.Red - b.Red) + Math.Abs(a.Green - b.Green) + Math.Abs(a.Blue - b.Blue) < 30;
}
