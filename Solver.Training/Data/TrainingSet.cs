using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcdm.Poisson;

namespace Dcdm.Training.Data;

/// <summary>
/// A training data set on disk, one folder:
///   manifest.json      {"format": "dcdm-training-set", "version": 1, "domains": [{name, nx, ny, nz, flags, samples,
///                       count, ritzSteps, ritzKept, theta, weight, seed}, ...]}
///   NAME.flags         the geometry (dcdm-flags format: a text line "dcdm-flags nx ny nz", then a byte per cell)
///   NAME.f32           count samples x nx*ny*nz float32, little-endian, full grid (x fastest), unit 2-norm, 0 off the unknowns
/// </summary>
public sealed class TrainingSet
{
    public const string Format = "dcdm-training-set";

    public sealed record Domain(string Name, PoissonGrid Grid, float[] Samples, int Count, JsonObject Recipe)
    {
        public int Cells => Grid.CellCount;
        public ReadOnlySpan<float> Sample(int i) => Samples.AsSpan(i * Cells, Cells);
    }

    public IReadOnlyList<Domain> Domains { get; }

    TrainingSet(IReadOnlyList<Domain> domains) => Domains = domains;

    /// <summary>
    /// Generates the samples of each domain and writes the set: Ritz vectors of its operator (low modes weighted), and
    /// with probability <paramref name="divergence"/> per sample instead the divergence of a random velocity field (what
    /// a pressure projection solves; compatible on closed pockets by construction), both scaled to unit norm.
    /// </summary>
    public static void Generate(string folder, IReadOnlyList<TrainingDomain> domains, int count, int ritzSteps, int theta, double weight, int seed,
                                Action<string>? log = null, double divergence = 0)
    {
        if (divergence is < 0 or > 1) throw new ArgumentOutOfRangeException(nameof(divergence), $"the divergence fraction {divergence} must be in [0, 1]");
        Directory.CreateDirectory(folder);
        var manifest = new JsonArray();
        for (int d = 0; d < domains.Count; d++)
        {
            var (name, grid) = domains[d];
            var a = grid.ToCsr(GridMatrixLayout.Compact);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var ritz = divergence < 1 ? RitzBasis.Compute(a, ritzSteps, seed + d) : null; // all divergences: no Ritz vector needed
            if (ritz is not null)
                log?.Invoke($"{name}: {a.Rows} unknowns, Lanczos {ritz.Steps} steps, {ritz.Values.Length} Ritz pairs kept "
                    + $"({ritz.Values[0]:g3} .. {ritz.Values[^1]:g3}), {clock.Elapsed.TotalSeconds:F1} s");
            var rng = new Random(seed * 7919 + d);
            var fluid = grid.FluidCells;
            string samplesFile = $"{name}.f32";
            using (var stream = new BufferedStream(File.Create(Path.Combine(folder, samplesFile)), 1 << 20))
            {
                var buffer = new byte[grid.CellCount * 4];
                for (int s = 0; s < count; s++)
                {
                    // the random stream of a set without divergences is the one it always was
                    var b = divergence > 0 && (ritz is null || rng.NextDouble() < divergence) ? DivergenceSample(grid, fluid, rng.Next()) : ritz!.Sample(rng, theta, weight);
                    Array.Clear(buffer);
                    for (int k = 0; k < fluid.Length; k++) BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(fluid[k] * 4), (float)b[k]);
                    stream.Write(buffer);
                }
            }
            CellFlagsFile.Write(grid, Path.Combine(folder, $"{name}.flags"));
            manifest.Add(new JsonObject
            {
                ["name"] = name, ["nx"] = grid.Nx, ["ny"] = grid.Ny, ["nz"] = grid.Nz,
                ["flags"] = $"{name}.flags", ["samples"] = samplesFile, ["count"] = count,
                ["ritzSteps"] = ritz?.Steps ?? 0, ["ritzKept"] = ritz?.Values.Length ?? 0, ["theta"] = theta, ["weight"] = weight, ["seed"] = seed,
                ["divergence"] = divergence,
            });
            log?.Invoke($"{name}: {count} samples written, {clock.Elapsed.TotalSeconds:F1} s");
        }
        var root = new JsonObject { ["format"] = Format, ["version"] = 1, ["domains"] = manifest };
        File.WriteAllText(Path.Combine(folder, "manifest.json"), root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>b = the divergence of a random velocity field on the fluid cells, unit norm.</summary>
    static double[] DivergenceSample(PoissonGrid grid, int[] fluid, int seed)
    {
        var full = RightHandSides.VelocityDivergence(grid, seed);
        var b = fluid.Select(i => full[i]).ToArray();
        double norm = Math.Sqrt(b.Sum(v => v * v));
        for (int i = 0; i < b.Length; i++) b[i] /= norm;
        return b;
    }

    public static TrainingSet Load(string folder)
    {
        string path = Path.Combine(folder, "manifest.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: no training-set manifest here; make one with 'dcdm generate-data -o {folder}'", path);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        if (root["format"]?.GetValue<string>() != Format) throw new InvalidDataException($"{path}: format is not '{Format}'");
        var domains = new List<Domain>();
        foreach (var node in root["domains"]!.AsArray())
        {
            var o = node!.AsObject();
            string name = o["name"]!.GetValue<string>();
            var grid = CellFlagsFile.Read(Path.Combine(folder, o["flags"]!.GetValue<string>()));
            int count = o["count"]!.GetValue<int>();
            string samplesPath = Path.Combine(folder, o["samples"]!.GetValue<string>());
            var bytes = File.ReadAllBytes(samplesPath);
            if (bytes.Length != (long)count * grid.CellCount * 4)
                throw new InvalidDataException($"{samplesPath}: {bytes.Length} bytes, expected {count} samples x {grid.CellCount} cells x 4");
            var samples = new float[count * grid.CellCount];
            for (int i = 0; i < samples.Length; i++) samples[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(i * 4));
            domains.Add(new Domain(name, grid, samples, count, o));
        }
        return new TrainingSet(domains);
    }
}
