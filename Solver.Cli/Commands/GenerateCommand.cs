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
                + "baffles (plates one cell thick with windows, a shelf, thin posts), slits (narrow horizontal gaps in a solid block), porous (rock with narrow passages), "
                + "channel (a passage two cells across snaking through a solid block), tunnels (a tangle of passages one or two cells across, random walks from the surface through a solid block), "
                + "carved (rock carved by passages one to three cells across at every size; --solid-fraction, --wavelength), beads (a pack of overlapping solid beads; --solid-fraction), "
                + "chambers (walls one cell thick every 7 cells, one pinhole in each); "
                + "with per-face coefficients: two-phase (liquid and air both unknowns, --density-ratio), cut-cell (fractional faces around smooth solids), "
                + "ghost-fluid (a wavy free surface with 1/theta Dirichlet terms), flat-cells (a tank on cells --aspect times flatter along z: its z faces aspect^2 the others), "
                + "cut-cell-rock (porous rock at the scale of the cells with fractional faces, pores meeting through throats one to three cells wide; --solid-fraction, --wavelength), "
                + "graded-channel (a rib-roughened channel on a mesh graded towards floor and ceiling: wall cells --aspect times flatter, cubic at mid-height; an outlet at x = nx)",
            DefaultValueFactory = _ => "spheres",
        };
        domain.AcceptOnlyFromAmong([.. PoissonDomains.Families, .. CoefficientDomains.Families]);
        var size = new Option<string>("--size") { Description = "grid size: n for n^3, or nx,ny,nz", DefaultValueFactory = _ => "32" };
        var rhs = new Option<string>("--rhs") { Description = "right-hand side: divergence of a random velocity field, random N(0,1), or smooth", DefaultValueFactory = _ => "divergence" };
        rhs.AcceptOnlyFromAmong(Rhs);
        var seed = new Option<int>("--seed") { Description = "random seed", DefaultValueFactory = _ => 1 };
        var layout = new Option<string>("--layout") { Description = "full: one row per cell, zero rows off fluid (DCDM convention); compact: fluid cells only", DefaultValueFactory = _ => "full" };
        layout.AcceptOnlyFromAmong("full", "compact");
        var count = new Option<int>("--spheres") { Description = "number of spheres (spheres)", DefaultValueFactory = _ => 6 }.AtLeast(0);
        var solid = new Option<double>("--solid-fraction")
        {
            Description = "fraction of solid cells (obstacles, rocks: default 0.15; carved: 0.8; beads: 0.65; cut-cell-rock: of the cells' centres, default 0.65)",
            DefaultValueFactory = _ => 0.15,
        };
        var wavelength = new Option<double>("--wavelength")
        {
            Description = "the rock's pore scale: its waves' mean wavelength in cells (carved, cut-cell-rock; default 8)",
            DefaultValueFactory = _ => CoefficientDomains.CutCellRockWavelength,
        };
        wavelength.Require(v => v >= 2 && v <= 1e4, "must be in [2, 10000]");
        var fill = new Option<double>("--fill") { Description = "fill height fraction (tank)", DefaultValueFactory = _ => 0.6 };
        var densityRatio = new Option<double>("--density-ratio") { Description = "liquid over air density (two-phase)", DefaultValueFactory = _ => 1000 };
        densityRatio.Require(v => v >= 1 && v <= 1e8, "must be in [1, 1e8]");
        var interfaceWidth = new Option<double>("--interface-width")
        {
            Description = "cells either side of the interface the density is smeared over, as level-set codes do (two-phase; 0: sharp)",
            DefaultValueFactory = _ => 0,
        };
        interfaceWidth.Require(v => v >= 0 && v <= 64, "must be in [0, 64]");
        var aspect = new Option<double>("--aspect")
        {
            Description = "cell width over height: the z faces (and Dirichlet faces along z) aspect^2 the others (flat-cells, default 4; two-phase, cut-cell, ghost-fluid, "
                + "cut-cell-rock, default 1); graded-channel: its wall cells', default 8",
        };
        aspect.Require(v => v >= 1 && v <= 100, "must be in [1, 100]");
        solid.Require(v => v >= 0 && v < 1, "must be in [0, 1)");
        fill.Require(v => v > 0 && v <= 1, "must be in (0, 1]");
        var outDir = new Option<string>("--out-dir", "-o") { Description = "folder for A.mtx, b.mtx and flags", DefaultValueFactory = _ => "." };

        var command = new Command("generate", "write a voxel Poisson problem: A.mtx, b.mtx and a cell flags file")
            { domain, size, rhs, seed, layout, count, solid, wavelength, fill, densityRatio, interfaceWidth, aspect, outDir };
        command.SetAction(parse =>
        {
            if (File.Exists(parse.GetValue(outDir)))
                throw new UsageException($"-o {parse.GetValue(outDir)}: is a file; name a folder (it is made when missing)");
            var (nx, ny, nz) = ParseSize(parse.GetValue(size)!);
            int s = parse.GetValue(seed);
            // an option of another domain was given: say so instead of ignoring it
            foreach (var (option, domains) in new (Option Option, string[] Domains)[]
                { (count, ["spheres"]), (solid, ["obstacles", "rocks", "carved", "beads", "cut-cell-rock"]), (wavelength, ["carved", "cut-cell-rock"]), (fill, ["tank"]), (densityRatio, ["two-phase"]),
                    (interfaceWidth, ["two-phase"]),
                    (aspect, [.. CoefficientDomains.Families]) })
                if (parse.GetResult(option) is { Implicit: false } && !domains.Contains(parse.GetValue(domain)))
                    throw new UsageException($"{option.Name} applies to --domain {string.Join(" or ", domains)}, not {parse.GetValue(domain)}; leave it out");
            bool solidGiven = parse.GetResult(solid) is { Implicit: false }, wavesGiven = parse.GetResult(wavelength) is { Implicit: false };
            if (solidGiven && parse.GetValue(solid) == 0 && parse.GetValue(domain) is "cut-cell-rock" or "carved" or "beads")
                throw new UsageException($"--solid-fraction 0 leaves --domain {parse.GetValue(domain)} no solid; give a fraction in (0, 1)");
            // the rock's and the beads' knobs as given, for the files' header
            string knobs = (solidGiven ? string.Create(CultureInfo.InvariantCulture, $" --solid-fraction {parse.GetValue(solid)}") : "")
                + (wavesGiven ? string.Create(CultureInfo.InvariantCulture, $" --wavelength {parse.GetValue(wavelength)}") : "");
            if (CoefficientDomains.Families.Contains(parse.GetValue(domain)))
            {
                double defaultAspect = parse.GetValue(domain) switch { "flat-cells" => 4, "graded-channel" => CoefficientDomains.GradedChannelAspect, _ => 1 };
                double k = parse.GetResult(aspect) is { Implicit: false } ? parse.GetValue(aspect) : defaultAspect;
                double fluid = solidGiven ? 1 - parse.GetValue(solid) : CoefficientDomains.CutCellRockFluid;
                var op = parse.GetValue(domain) switch
                {
                    "two-phase" => CoefficientDomains.TwoPhase(nx, ny, nz, parse.GetValue(densityRatio), s, k, parse.GetValue(interfaceWidth)),
                    "cut-cell" => CoefficientDomains.CutCell(nx, ny, nz, s, k),
                    "cut-cell-rock" => CoefficientDomains.CutCellRock(nx, ny, nz, s, k, fluid, parse.GetValue(wavelength)),
                    "ghost-fluid" => CoefficientDomains.GhostFluid(nx, ny, nz, s, k),
                    "flat-cells" => CoefficientDomains.FlatCells(nx, ny, nz, k, s),
                    "graded-channel" => CoefficientDomains.GradedChannel(nx, ny, nz, k, s),
                    var family => CoefficientDomains.Named(family!, nx, ny, nz, s),
                };
                if (!Enumerable.Range(0, op.CellCount).Any(i => op.Diagonal(i) > 0))
                    throw NothingToSolve(parse.GetValue(domain)!, nx, ny, nz, "an unknown", solidGiven);
                WriteOperator(console, op, parse.GetValue(rhs)!, s, parse.GetValue(layout) == "full", parse.GetValue(outDir)!,
                    $"dcdm generate --domain {parse.GetValue(domain)} --size {nx},{ny},{nz} --rhs {parse.GetValue(rhs)} --seed {s} --layout {parse.GetValue(layout)}"
                    + (parse.GetValue(domain) == "two-phase" ? string.Create(CultureInfo.InvariantCulture, $" --density-ratio {parse.GetValue(densityRatio)}")
                        + (parse.GetValue(interfaceWidth) > 0 ? string.Create(CultureInfo.InvariantCulture, $" --interface-width {parse.GetValue(interfaceWidth)}") : "") : "")
                    + (defaultAspect != 1 || k != 1 ? string.Create(CultureInfo.InvariantCulture, $" --aspect {k}") : "") + knobs);
                return ExitCode.Converged;
            }
            var grid = parse.GetValue(domain) switch
            {
                "spheres" => PoissonDomains.Spheres(nx, ny, nz, parse.GetValue(count), s),
                "obstacles" => PoissonDomains.RandomObstacles(nx, ny, nz, parse.GetValue(solid), s),
                "rocks" => PoissonDomains.NoiseCarved(nx, ny, nz, Math.Max(0.01, parse.GetValue(solid)), s),
                "carved" => PoissonDomains.CarvedRock(nx, ny, nz, solidGiven ? parse.GetValue(solid) : PoissonDomains.CarvedSolid,
                    wavesGiven ? parse.GetValue(wavelength) : PoissonDomains.CarvedWavelength, s),
                "beads" => PoissonDomains.BeadPack(nx, ny, nz, solidGiven ? parse.GetValue(solid) : PoissonDomains.BeadSolid, PoissonDomains.BeadRadius, s),
                "tank" => PoissonDomains.FreeSurfaceTank(nx, ny, nz, parse.GetValue(fill), s),
                var family => PoissonDomains.Named(family!, nx, ny, nz, s),
            };
            if (grid.FluidCount == 0) throw NothingToSolve(parse.GetValue(domain)!, nx, ny, nz, "fluid", solidGiven);
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
            string description = $"dcdm generate --domain {parse.GetValue(domain)} --size {nx},{ny},{nz} --rhs {parse.GetValue(rhs)} --seed {s} --layout {parse.GetValue(layout)}"
                + (parse.GetResult(count) is { Implicit: false } ? $" --spheres {parse.GetValue(count)}" : "") + knobs
                + (parse.GetResult(fill) is { Implicit: false } ? string.Create(CultureInfo.InvariantCulture, $" --fill {parse.GetValue(fill)}") : "");
            MatrixMarketWriter.WriteMatrix(Path.Combine(dir, "A.mtx"), a, symmetric: true, description);
            MatrixMarketWriter.WriteVector(Path.Combine(dir, "b.mtx"), full ? b : grid.ToCompact(b), description);
            CellFlagsFile.Write(grid, Path.Combine(dir, "flags.bin"));
            console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {Path.Combine(dir, "A.mtx")} ({a.Rows} rows, {a.NonZeros} nonzeros, {grid.FluidCount} fluid cells), b.mtx and flags.bin ({nx} x {ny} x {nz})"));
            return ExitCode.Converged;
        });
        return command;
    }

    /// <summary>
    /// A family that leaves no cell to solve for at the size given (an open top's air layer is the whole of a grid one
    /// cell high; a liquid block or a pack of beads may cover no whole cell of a tiny grid): refused, rather than files
    /// with no equation that a solve then rejects for a reason far from this one.
    /// </summary>
    static UsageException NothingToSolve(string domain, int nx, int ny, int nz, string what, bool solidGiven) =>
        new($"--domain {domain} --size {nx},{ny},{nz}: no cell is {what} at these settings"
            + (nz == 1 ? " (an open top makes the top layer air, so one cell high leaves none)" : "")
            + $"; give a larger --size{(solidGiven ? " or a smaller --solid-fraction" : "")}");

    /// <summary>
    /// A coefficient family's files: A.mtx (full-grid or compact), b.mtx, and flags.bin marking its unknowns as fluid
    /// (what --flags needs to read a compact A). b: the divergence of random face velocities (each open face and each
    /// Dirichlet face), random N(0, 1) or 1 on the unknowns.
    /// </summary>
    static void WriteOperator(CliConsole console, VoxelOperator op, string rhs, int seed, bool full, string dir, string description)
    {
        int n = op.CellCount;
        var cells = new CellType[n];
        for (int i = 0; i < n; i++) cells[i] = op.Diagonal(i) > 0 ? CellType.Fluid : CellType.Solid;
        var unknowns = new PoissonGrid(op.Nx, op.Ny, op.Nz, cells);
        var rng = new Random(seed);
        var b = new double[n];
        for (int i = 0; i < n; i++)
        {
            if (cells[i] != CellType.Fluid) continue;
            if (rhs == "random") { b[i] = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5; continue; } // near N(0, 1/4)
            if (rhs == "smooth") { b[i] = 1; continue; }
            op.OpenFaces(i, (j, _) => { if (j > i) { double u = rng.NextDouble() - 0.5; b[i] += u; b[j] -= u; } });
            if (op.Dirichlet[i] > 0) b[i] += rng.NextDouble() - 0.5;
        }
        Directory.CreateDirectory(dir);
        var a = op.ToCsr();
        if (!full) a = a.Submatrix(unknowns.FluidCells);
        MatrixMarketWriter.WriteMatrix(Path.Combine(dir, "A.mtx"), a, symmetric: true, description);
        MatrixMarketWriter.WriteVector(Path.Combine(dir, "b.mtx"), full ? b : unknowns.ToCompact(b), description);
        CellFlagsFile.Write(unknowns, Path.Combine(dir, "flags.bin"));
        console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {Path.Combine(dir, "A.mtx")} ({a.Rows} rows, {a.NonZeros} nonzeros, {unknowns.FluidCount} unknowns), b.mtx and flags.bin ({op.Nx} x {op.Ny} x {op.Nz})"));
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
