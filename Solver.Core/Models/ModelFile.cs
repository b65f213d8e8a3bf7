using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Dcdm.Models;

/// <summary>
/// A model in the safetensors layout: 8 bytes of little-endian header length, a JSON header naming
/// each tensor's dtype, shape and byte range, then the little-endian tensor bytes. The header's
/// "__metadata__" holds strings: the architecture, its hyper-parameters, the training grid and data
/// recipe. Only F32 tensors are read and written (what the engines use).
/// </summary>
public sealed class ModelFile
{
    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, ModelTensor> Tensors { get; } = new(StringComparer.Ordinal);

    /// <summary>The metadata's architecture; "lean", the stencil model's name in files written before 2026-12, reads as "stencil".</summary>
    public string Architecture => Metadata.TryGetValue("architecture", out var a) ? a == "lean" ? StencilDirectionModel.ArchitectureName : a : "";

    /// <summary>Where the file came from (metadata "source"), for messages.</summary>
    public string Source => Metadata.GetValueOrDefault("source", "model");

    /// <summary>Refuses a file of another architecture than the one the calling engine runs.</summary>
    public void RequireArchitecture(string architecture)
    {
        if (Architecture != architecture) throw new ModelFileException(Source, $"architecture is '{Architecture}', this engine runs '{architecture}'");
    }

    /// <summary>An integer metadata value from <paramref name="min"/> to <paramref name="max"/>; else the file is refused, naming the key.</summary>
    public int RequiredInt(string key, int min, int max = int.MaxValue)
    {
        int value = IntMetadata(key, int.MinValue);
        if (value < min || value > max)
            throw new ModelFileException(Source, max == int.MaxValue ? $"metadata '{key}' is missing or not an integer >= {min}"
                : $"metadata '{key}' is missing or not an integer from {min} to {max}");
        return value;
    }

    public ModelTensor Tensor(string name, params int[] shape)
    {
        if (!Tensors.TryGetValue(name, out var t))
            throw new ModelFileException(Source, $"tensor '{name}' is missing (architecture '{Architecture}' needs it)");
        if (!t.Shape.SequenceEqual(shape))
            throw new ModelFileException(Source, $"tensor '{name}' has shape {t.ShapeText}, expected [{string.Join(", ", shape)}]");
        return t;
    }

    public int IntMetadata(string key, int fallback) =>
        Metadata.TryGetValue(key, out var v) && int.TryParse(v, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int i) ? i : fallback;

    public static ModelFile Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new ModelFileException(path, e.Message); }
        return Parse(bytes, path);
    }

    public static ModelFile Parse(ReadOnlySpan<byte> bytes, string source)
    {
        if (bytes.Length < 8) throw new ModelFileException(source, "shorter than the 8-byte safetensors header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8)) throw new ModelFileException(source, $"header length {headerLength} exceeds the file ({bytes.Length} bytes): not a safetensors file");
        var data = bytes[(8 + (int)headerLength)..];
        if (!System.Text.Unicode.Utf8.IsValid(bytes.Slice(8, (int)headerLength)))
            throw new ModelFileException(source, "the JSON header is not valid UTF-8");
        JsonObject header;
        try { header = JsonNode.Parse(bytes.Slice(8, (int)headerLength)) as JsonObject ?? throw new JsonException("not a JSON object"); }
        catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException) // bad JSON, bad UTF-8
        {
            throw new ModelFileException(source, $"the JSON header does not parse: {e.Message}");
        }
        var model = new ModelFile();
        model.Metadata["source"] = source;
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                foreach (var (k, v) in node as JsonObject ?? throw Bad(source, "__metadata__ is not an object"))
                    model.Metadata[k] = Text(v) ?? throw Bad(source, $"metadata '{k}' is not a string");
                continue;
            }
            var o = node as JsonObject ?? throw Bad(source, $"tensor '{name}' is not an object");
            string dtype = Text(o["dtype"]) ?? "";
            if (dtype != "F32") throw new ModelFileException(source, $"tensor '{name}' is {dtype}; only F32 is supported");
            var shapeNodes = o["shape"] as JsonArray ?? throw Bad(source, $"tensor '{name}' has no shape array");
            var shape = shapeNodes.Select(d => Integer(d) is long v and >= 0 and <= int.MaxValue ? (int)v : throw Bad(source, $"tensor '{name}' has a bad shape")).ToArray();
            var offsets = o["data_offsets"] as JsonArray;
            if (offsets is not { Count: 2 } || Integer(offsets[0]) is not long begin || Integer(offsets[1]) is not long end)
                throw Bad(source, $"tensor '{name}' has no data_offsets [begin, end]");
            long count = shape.Aggregate(1L, (a, d) => a * d > int.MaxValue ? int.MaxValue + 1L : a * d);
            if (begin < 0 || end > data.Length || end < begin || end - begin != count * 4)
                throw new ModelFileException(source, $"tensor '{name}' {string.Join("x", shape)} has byte range [{begin}, {end}) that does not fit its shape or the file");
            var values = new float[count];
            var span = data[(int)begin..(int)end];
            for (long i = 0; i < count; i++) values[i] = BinaryPrimitives.ReadSingleLittleEndian(span[(int)(i * 4)..]);
            model.Tensors[name] = new ModelTensor(shape, values);
        }
        return model;
    }

    static ModelFileException Bad(string source, string what) => new(source, $"the header is not a safetensors header: {what}");

    static string? Text(JsonNode? node) => node is JsonValue v && v.TryGetValue(out string? text) ? text : null;

    static long? Integer(JsonNode? node) => node is JsonValue v && v.TryGetValue(out long n) ? n : null;

    /// <summary>Writes the file atomically (temporary file, then rename).</summary>
    public void Write(string path)
    {
        var header = new JsonObject();
        var meta = new JsonObject();
        foreach (var (k, v) in Metadata.Where(kv => kv.Key != "source").OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
        header["__metadata__"] = meta;
        long offset = 0;
        foreach (var (name, t) in Tensors)
        {
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + t.Values.Length * 4L),
            };
            offset += t.Values.Length * 4L;
        }
        var json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        string temp = path + ".tmp";
        using (var stream = File.Create(temp))
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)padded);
            stream.Write(length);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            var buffer = new byte[4];
            foreach (var t in Tensors.Values)
                foreach (float v in t.Values)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer, v);
                    stream.Write(buffer);
                }
        }
        File.Move(temp, path, overwrite: true);
    }
}
