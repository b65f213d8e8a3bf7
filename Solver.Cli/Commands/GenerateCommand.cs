using System.CommandLine;
using System.Globalization;
using Dcdm.MatrixMarket;
using Dcdm.Poisson;

namespace Dcdm.Cli.Commands;

/// <summary>dcdm generate: writes A.mtx, b.mtx and flags for a generated voxel Poisson problem.</summary>
public static class GenerateCommand
{
    static readonly string[] Rhs = ["divergence", "random", "smooth"];

    public static Command Create(CliConsole console)
    {
        var domain = new Option<string>("--domain")
        {
            Description = "box (closed, singular), smoke (open top), spheres, obstacles (random blocks), tank (free surface), columns (pillars and shelves), "
                + "rocks (noise-carved solids), sloped (sloped free surface), pockets (air bubbles and droplets), dambreak (a liquid block against a wall), "
                + "baffles (plates one cell thick with windows, a shelf, thin posts), slits (narrow horizontal gaps in a solid block), porous (rock with narrow passages)",
            DefaultValueFactory = _ => "spheres",
        };
        domain.AcceptOnlyFromAmong([.. PoissonDomains.Families]);
        var size = new Option<string>("--size") { Description = "grid size: n for n^3, or nx,ny,nz", DefaultValueFactory = _ => "32" };
        var rhs = new Option<string>("--rhs") { Description = "right-hand side: divergence of a random velocity field, random N(0,1), or smooth", DefaultValueFactory = _ => "divergence" };
        rhs.AcceptOnlyFromAmong(Rhs);
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 1 };
        var layout = new Option<string>("--layout") { Description = "full: one row per cell, zero rows off fluid (DCDM convention); compact: fluid cells only", DefaultValueFactory = _ => "full" };
        layout.AcceptOnlyFromAmong("full", "compact");
        var count = new Option<int>("--spheres") { Description = "number of spheres (spheres)", DefaultValueFactory = _ => 6 };
        var solid = new Option<double>("--solid-fraction") { Description = "fraction of solid cells (obstacles, rocks)", DefaultValueFactory = _ => 0.15 };
        var fill = new Option<double>("--fill") { Description = "fill height fraction (tank)", DefaultValueFactory = _ => 0.6 };
        count.Require(v => v >= 0, "must be >= 0");
        solid.Require(v => v >= 0 && v < 1, "must be in [0, 1)");
        fill.Require(v => v > 0 && v <= 1, "must be in (0, 1]");
        var outDir = new Option<string>("--out-dir", "-o") { Description = "folder for A.mtx, b.mtx and flags", DefaultValueFactory = _ => "." };

        var command = new Command("generate", "write a voxel Poisson problem: A.mtx, b.mtx and a cell flags file")
            { domain, size, rhs, seed, layout, count, solid, fill, outDir };
        command.SetAction(parse =>
        {
            if (File.Exists(parse.GetValue(outDir)))
                throw new UsageException($"-o {parse.GetValue(outDir)}: is a file; name a folder (it is made when missing)");
            var (nx, ny, nz) = ParseSize(parse.GetValue(size)!);
            int s = parse.GetValue(seed);
            var grid = parse.GetValue(domain) switch
            {
                "spheres" => PoissonDomains.Spheres(nx, ny, nz, parse.GetValue(count), s),
                "obstacles" => PoissonDomains.RandomObstacles(nx, ny, nz, parse.GetValue(solid), s),
                "rocks" => PoissonDomains.NoiseCarved(nx, ny, nz, Math.Max(0.01, parse.GetValue(solid)), s),
                "tank" => PoissonDomains.FreeSurfaceTank(nx, ny, nz, parse.GetValue(fill), s),
                var family => PoissonDomains.Named(family!, nx, ny, nz, s),
            };
            double[] b = parse.GetValue(rhs) switch
            {
                "random" => RightHandSides.Random(grid, s),
                "smooth" => RightHandSides.Smooth(grid),
                _ => RightHandSides.VelocityDivergence(grid, s),
            };
            bool full = parse.GetValue(layout) == "full";
            string dir = parse.GetValue(outDir)!;
            Directory.CreateDirectory(dir);
            var a = grid.ToCsr(full ? GridMatrixLayout.FullGrid : GridMatrixLayout.Compact);
            string description = $"dcdm generate --domain {parse.GetValue(domain)} --size {nx},{ny},{nz} --rhs {parse.GetValue(rhs)} --seed {s} --layout {parse.GetValue(layout)}";
            MatrixMarketWriter.WriteMatrix(Path.Combine(dir, "A.mtx"), a, symmetric: true, description);
            MatrixMarketWriter.WriteVector(Path.Combine(dir, "b.mtx"), full ? b : grid.ToCompact(b), description);
            CellFlagsFile.Write(grid, Path.Combine(dir, "flags.bin"));
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {Path.Combine(dir, "A.mtx")} ({a.Rows} rows, {a.NonZeros} nonzeros, {grid.FluidCount} fluid cells), b.mtx and flags.bin ({nx} x {ny} x {nz})"));
            return ExitCode.Converged;
        });
        return command;
    }

    public static (int nx, int ny, int nz) ParseSize(string text)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]) || values[i] < 1 || values[i] > 4096)
                throw new UsageException($"--size '{text}': expected n or nx,ny,nz with each between 1 and 4096");
        return values.Length switch
        {
            1 => (values[0], values[0], values[0]),
            3 => (values[0], values[1], values[2]),
            _ => throw new UsageException($"--size '{text}': expected n or nx,ny,nz"),
        };
    }
}
