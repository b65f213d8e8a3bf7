namespace Dcdm.Poisson;

/// <summary>
/// Generated voxel domains of the kinds a CFD code meets. Every generator is deterministic for a
/// given seed. "Open top" means the top z-layer is air (p = 0), which makes the system non-singular.
/// </summary>
public static class PoissonDomains
{
    /// <summary>The families <see cref="Named"/> knows, in the order `dcdm generate --domain` lists them.</summary>
    public static IReadOnlyList<string> Families { get; } = ["box", "smoke", "spheres", "obstacles", "tank", "columns", "rocks", "sloped", "pockets", "dambreak",
        "baffles", "slits", "porous", "channel", "tunnels", "carved", "beads", "chambers"];

    /// <summary>
    /// One of <see cref="Families"/> with its default parameters (6 spheres, 15% solid, 60% fill, a 0.4 x 0.8 dam, a channel
    /// two cells across straddling the coarse blocks, tunnels through a tenth of the block, carved rock and a bead pack at
    /// <see cref="CarvedSolid"/> and <see cref="BeadSolid"/>, chambers every <see cref="ChamberPitch"/> cells) and the seed
    /// (the dam and the channel take none).
    /// </summary>
    public static PoissonGrid Named(string family, int nx, int ny, int nz, int seed) => family switch
    {
        "box" => ClosedBox(nx, ny, nz),
        "smoke" => SmokeBox(nx, ny, nz),
        "spheres" => Spheres(nx, ny, nz, 6, seed),
        "obstacles" => RandomObstacles(nx, ny, nz, 0.15, seed),
        "tank" => FreeSurfaceTank(nx, ny, nz, 0.6, seed),
        "columns" => ColumnsAndShelves(nx, ny, nz, seed),
        "rocks" => NoiseCarved(nx, ny, nz, 0.15, seed),
        "sloped" => SlopedSurface(nx, ny, nz, seed),
        "pockets" => PocketsAndDroplets(nx, ny, nz, seed),
        "dambreak" => DamBreak(nx, ny, nz, 0.4, 0.8),
        "baffles" => Baffles(nx, ny, nz, seed),
        "slits" => Slits(nx, ny, nz, seed),
        "porous" => NoiseCarved(nx, ny, nz, 0.5, seed),
        "channel" => Channel(nx, ny, nz, 2, offset: 1),
        "tunnels" => Tunnels(nx, ny, nz, 0.1, seed),
        "carved" => CarvedRock(nx, ny, nz, CarvedSolid, CarvedWavelength, seed),
        "beads" => BeadPack(nx, ny, nz, BeadSolid, BeadRadius, seed),
        "chambers" => Chambers(nx, ny, nz, ChamberPitch, seed),
        _ => throw new ArgumentException($"domain family '{family}' is unknown; use one of {string.Join(", ", Families)}", nameof(family)),
    };

    /// <summary>All fluid, walls all round: pure Neumann, singular (constants in the null space).</summary>
    public static PoissonGrid ClosedBox(int nx, int ny, int nz) => PoissonGrid.Filled(nx, ny, nz, CellType.Fluid);

    /// <summary>A smoke box: walls on five sides, an air layer on top.</summary>
    public static PoissonGrid SmokeBox(int nx, int ny, int nz)
    {
        var cells = Fluid(nx, ny, nz);
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>A smoke box with solid spheres of random centre and radius (4% to 15% of the box).</summary>
    public static PoissonGrid Spheres(int nx, int ny, int nz, int count, int seed)
    {
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        int n = Math.Min(nx, Math.Min(ny, nz));
        for (int s = 0; s < count; s++)
        {
            double r = n * (0.04 + 0.11 * rng.NextDouble());
            double cx = nx * (0.15 + 0.7 * rng.NextDouble()), cy = ny * (0.15 + 0.7 * rng.NextDouble()), cz = nz * (0.1 + 0.6 * rng.NextDouble());
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy, dz = z + 0.5 - cz;
                if (dx * dx + dy * dy + dz * dz <= r * r) cells[i] = CellType.Solid;
            });
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A smoke box cluttered with random solid blocks covering about <paramref name="solidFraction"/>
    /// of the cells. Pockets cut off from the air are closed (singular) components.
    /// </summary>
    public static PoissonGrid RandomObstacles(int nx, int ny, int nz, double solidFraction, int seed)
    {
        if (solidFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(solidFraction), $"solid fraction {solidFraction} must be in [0, 1)");
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        long target = (long)(solidFraction * cells.Length), solid = 0;
        int maxEdge = Math.Max(1, Math.Min(nx, Math.Min(ny, nz)) / 6);
        while (solid < target)
        {
            int ex = rng.Next(1, maxEdge + 1), ey = rng.Next(1, maxEdge + 1), ez = rng.Next(1, maxEdge + 1);
            int x0 = rng.Next(0, nx), y0 = rng.Next(0, ny), z0 = rng.Next(0, nz);
            for (int z = z0; z < Math.Min(nz, z0 + ez); z++)
                for (int y = y0; y < Math.Min(ny, y0 + ey); y++)
                    for (int x = x0; x < Math.Min(nx, x0 + ex); x++)
                    {
                        int i = x + nx * (y + ny * z);
                        if (cells[i] == CellType.Fluid) { cells[i] = CellType.Solid; solid++; }
                    }
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A tank filled to about <paramref name="fillFraction"/> of its height with a wavy free
    /// surface; air above it. Walls on the sides and bottom.
    /// </summary>
    public static PoissonGrid FreeSurfaceTank(int nx, int ny, int nz, double fillFraction, int seed)
    {
        if (fillFraction is <= 0 or > 1) throw new ArgumentOutOfRangeException(nameof(fillFraction), $"fill fraction {fillFraction} must be in (0, 1]");
        var rng = new Random(seed);
        double ax = 0.08 * nz * rng.NextDouble(), ay = 0.08 * nz * rng.NextDouble();
        double kx = 2 * Math.PI * (1 + rng.Next(3)) / nx, ky = 2 * Math.PI * (1 + rng.Next(3)) / ny;
        double phase = 2 * Math.PI * rng.NextDouble();
        var cells = new CellType[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            double surface = fillFraction * nz + ax * Math.Sin(kx * x + phase) + ay * Math.Cos(ky * y);
            cells[i] = z + 0.5 < surface ? CellType.Fluid : CellType.Air;
        });
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>Columns and shelves: vertical solid cylinders standing on the floor and one-cell-thin horizontal plates, in a smoke box.</summary>
    public static PoissonGrid ColumnsAndShelves(int nx, int ny, int nz, int seed)
    {
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        int n = Math.Min(nx, ny);
        for (int c = rng.Next(3, 7); c > 0; c--)
        {
            double r = n * (0.03 + 0.05 * rng.NextDouble()), cx = nx * rng.NextDouble(), cy = ny * rng.NextDouble(), top = nz * (0.4 + 0.5 * rng.NextDouble());
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                if (z + 0.5 < top && dx * dx + dy * dy <= r * r) cells[i] = CellType.Solid;
            });
        }
        for (int s = rng.Next(2, 5); s > 0; s--)
        {
            int z0 = (int)(nz * (0.2 + 0.6 * rng.NextDouble()));
            int x0 = rng.Next(nx), y0 = rng.Next(ny), ex = (int)(nx * (0.2 + 0.3 * rng.NextDouble())), ey = (int)(ny * (0.2 + 0.3 * rng.NextDouble()));
            for (int y = y0; y < Math.Min(ny, y0 + ey); y++)
                for (int x = x0; x < Math.Min(nx, x0 + ex); x++) cells[x + nx * (y + ny * z0)] = CellType.Solid;
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// Rock-like solids: a smooth random field (eight low-frequency plane waves) cut at the level that makes about
    /// <paramref name="solidFraction"/> of the cells solid; an air layer on top. Pockets cut off from the air are closed components.
    /// </summary>
    public static PoissonGrid NoiseCarved(int nx, int ny, int nz, double solidFraction, int seed)
    {
        if (solidFraction is <= 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(solidFraction), $"solid fraction {solidFraction} must be in (0, 1)");
        var rng = new Random(seed);
        var waves = Enumerable.Range(0, 8).Select(_ => (
            kx: 2 * Math.PI * rng.Next(1, 5) / nx * (rng.Next(2) * 2 - 1), ky: 2 * Math.PI * rng.Next(1, 5) / ny, kz: 2 * Math.PI * rng.Next(1, 5) / nz,
            phase: 2 * Math.PI * rng.NextDouble(), amplitude: 0.5 + rng.NextDouble())).ToArray();
        var field = new double[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) => field[i] = waves.Sum(w => w.amplitude * Math.Cos(w.kx * x + w.ky * y + w.kz * z + w.phase)));
        double cut = field.OrderByDescending(v => v).ElementAt((int)(solidFraction * (field.Length - 1)));
        var cells = new CellType[field.Length];
        for (int i = 0; i < field.Length; i++) cells[i] = field[i] >= cut ? CellType.Solid : CellType.Fluid;
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>Liquid under a sloped plane (a tilted tank, a wave running up a beach), air above; walls on the sides and bottom.</summary>
    public static PoissonGrid SlopedSurface(int nx, int ny, int nz, int seed)
    {
        var rng = new Random(seed);
        double angle = 2 * Math.PI * rng.NextDouble(), mean = 0.35 + 0.3 * rng.NextDouble(), rise = 0.2 + 0.4 * rng.NextDouble();
        var cells = new CellType[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            double along = Math.Cos(angle) * ((x + 0.5) / nx - 0.5) + Math.Sin(angle) * ((y + 0.5) / ny - 0.5);
            cells[i] = z + 0.5 < nz * (mean + rise * along) ? CellType.Fluid : CellType.Air;
        });
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>A half-full pool with air bubbles in the liquid and liquid droplets in the air above it (each its own fluid region).</summary>
    public static PoissonGrid PocketsAndDroplets(int nx, int ny, int nz, int seed)
    {
        var rng = new Random(seed);
        int n = Math.Min(nx, Math.Min(ny, nz));
        var cells = new CellType[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) => cells[i] = z + 0.5 < 0.5 * nz ? CellType.Fluid : CellType.Air);
        void Ball(double zLow, double zHigh, double rLow, double rHigh, CellType type)
        {
            double r = n * (rLow + (rHigh - rLow) * rng.NextDouble());
            double cx = nx * (0.1 + 0.8 * rng.NextDouble()), cy = ny * (0.1 + 0.8 * rng.NextDouble()), cz = nz * (zLow + (zHigh - zLow) * rng.NextDouble());
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy, dz = z + 0.5 - cz;
                if (dx * dx + dy * dy + dz * dz <= r * r) cells[i] = type;
            });
        }
        for (int b = rng.Next(4, 9); b > 0; b--) Ball(0.1, 0.4, 0.04, 0.1, CellType.Air);
        for (int d = rng.Next(4, 9); d > 0; d--) Ball(0.6, 0.9, 0.03, 0.07, CellType.Fluid);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// Baffles: three or four vertical plates one cell thick across most of a smoke box (at even and odd positions, in x
    /// and y), each with one or two windows, a horizontal shelf one or two cells thick with a window, and thin posts
    /// one to three cells across. Fluid on the two sides of a plate meets only through its windows.
    /// </summary>
    public static PoissonGrid Baffles(int nx, int ny, int nz, int seed)
    {
        if (Math.Min(nx, Math.Min(ny, nz)) < 6)
            throw new ArgumentOutOfRangeException(nameof(nx), $"baffles needs at least 6 cells per axis (plates, windows and a shelf), got {nx}x{ny}x{nz}");
        var cells = Fluid(nx, ny, nz);
        var rng = new Random(seed);
        void Window(int axis, int at, int[] size)
        {
            int[] other = axis == 0 ? [1, 2] : axis == 1 ? [0, 2] : [0, 1];
            int wa = Math.Max(2, size[other[0]] / 6), wb = Math.Max(2, size[other[1]] / 6);
            int a0 = rng.Next(0, Math.Max(1, size[other[0]] - wa)), b0 = rng.Next(0, Math.Max(1, size[other[1]] - 1 - wb));
            for (int a = a0; a < Math.Min(size[other[0]], a0 + wa); a++)
                for (int b = b0; b < Math.Min(size[other[1]], b0 + wb); b++)
                {
                    int[] c = new int[3];
                    c[axis] = at; c[other[0]] = a; c[other[1]] = b;
                    cells[c[0] + nx * (c[1] + ny * c[2])] = CellType.Fluid;
                }
        }
        int[] size = [nx, ny, nz];
        for (int p = rng.Next(3, 5); p > 0; p--)
        {
            int axis = rng.Next(2), at = rng.Next(2, size[axis] - 2);
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                if ((axis == 0 ? x : y) == at && z < nz - 2) cells[i] = CellType.Solid;
            });
            for (int w = rng.Next(1, 3); w > 0; w--) Window(axis, at, size);
        }
        int shelf = (int)(nz * (0.3 + 0.4 * rng.NextDouble())), thick = rng.Next(1, 3);
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (z >= shelf && z < shelf + thick && x < 3 * nx / 4) cells[i] = CellType.Solid;
        });
        Window(2, shelf, size);
        for (int c = Math.Max(2, Math.Min(nx, ny) / 6); c > 0; c--)
        {
            int t = rng.Next(1, 4), x0 = rng.Next(0, nx - t), y0 = rng.Next(0, ny - t);
            ForEach(nx, ny, nz, (x, y, z, i) =>
            {
                if (x >= x0 && x < x0 + t && y >= y0 && y < y0 + t && z < nz - 2) cells[i] = CellType.Solid;
            });
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// Slits: a solid block cut by horizontal fluid gaps one or two cells high (at every third or fourth level, odd and even
    /// alike), joined by fluid shafts at the two ends of x, open to air on top: pressure in narrow passages, the case
    /// that coarse grids lose first.
    /// </summary>
    public static PoissonGrid Slits(int nx, int ny, int nz, int seed)
    {
        if (Math.Min(nx, Math.Min(ny, nz)) < 4)
            throw new ArgumentOutOfRangeException(nameof(nx), $"slits needs at least 4 cells per axis, got {nx}x{ny}x{nz}");
        var rng = new Random(seed);
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, CellType.Solid);
        int shaft = Math.Max(2, nx / 8);
        var gap = new bool[nz];
        for (int z = 1; z < nz - 2; z += rng.Next(3, 5))
        {
            gap[z] = true;
            if (rng.Next(3) == 0 && z + 1 < nz - 2) gap[z + 1] = true;
        }
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            bool inShaft = x < shaft || x >= nx - shaft;
            if (z == nz - 1) cells[i] = CellType.Air;
            else if (inShaft || gap[z] && y > 0 && y < ny - 1) cells[i] = CellType.Fluid;
        });
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// Tunnels: a solid block carved by four random walks (one step a cell, to any of six neighbours) that start just under
    /// the air on top, as water-worn or fractured rock drains to the surface: a tangle of passages one or two cells across
    /// that branch, cross and loop (unlike <see cref="Channel"/>'s one path). At every size about 6% of the block is fluid,
    /// its cells with two to four fluid neighbours mostly, and 2% of the 2x2x2 blocks it touches are full, so each coarse
    /// level is about 3x smaller, not 8x: the hardest family of a sweep of random geometries (docs/benchmarks.md).
    /// </summary>
    /// <param name="share">The walks' steps together, as a share of the cells (at 0.1 about 6% of the cells become fluid, the
    /// walks crossing their own passages).</param>
    public static PoissonGrid Tunnels(int nx, int ny, int nz, double share, int seed)
    {
        if (Math.Min(nx, Math.Min(ny, nz)) < 3)
            throw new ArgumentOutOfRangeException(nameof(nx), $"tunnels needs at least 3 cells per axis, got {nx}x{ny}x{nz}");
        if (!(share > 0 && share <= 1)) throw new ArgumentOutOfRangeException(nameof(share), $"a share of the cells in (0, 1], got {share}");
        var rng = new Random(seed);
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, CellType.Solid);
        const int walks = 4;
        long steps = Math.Max(1, (long)(share * cells.Length / walks));
        for (int w = 0; w < walks; w++)
        {
            int x = rng.Next(nx), y = rng.Next(ny), z = nz - 2;
            for (long k = 0; k < steps; k++)
            {
                cells[x + (long)nx * (y + (long)ny * z)] = CellType.Fluid;
                switch (rng.Next(6))
                {
                    case 0: if (x > 0) x--; break;
                    case 1: if (x < nx - 1) x++; break;
                    case 2: if (y > 0) y--; break;
                    case 3: if (y < ny - 1) y++; break;
                    case 4: if (z > 0) z--; break;
                    default: if (z < nz - 2) z++; break;
                }
            }
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A cooling channel: one passage <paramref name="width"/> cells square snaking through a solid block, rows along x
    /// joined at alternate ends, layers joined by shafts at alternate sides, open to air through one cell at the top. At
    /// 128^3 and width 2 the path is over 100,000 cells long, so the pressure's slowest modes run along it: the case where
    /// coarse levels that merge a whole stretch of channel into one unknown lose what the levels below still resolve.
    /// </summary>
    /// <param name="offset">The first passage's first cell along each axis, 0 or 1: at 1 a passage two cells across
    /// straddles the 2x2x2 blocks of the first coarse level (the harder case), at 0 it fills them.</param>
    public static PoissonGrid Channel(int nx, int ny, int nz, int width, int offset)
    {
        if (offset is not (0 or 1)) throw new ArgumentOutOfRangeException(nameof(offset), $"the channel's offset is 0 or 1, got {offset}");
        if (width < 1 || Math.Min(nx, Math.Min(ny, nz)) < 2 * width + 3)
            throw new ArgumentOutOfRangeException(nameof(width), $"a channel {width} cells across needs at least {2 * width + 3} cells per axis, got {nx}x{ny}x{nz}");
        int pitch = 2 * width;
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, CellType.Solid);
        void Fluid(int x0, int x1, int y0, int y1, int z0, int z1) // the box [x0, x1) x [y0, y1) x [z0, z1)
        {
            for (int z = z0; z < z1; z++)
                for (int y = y0; y < y1; y++)
                    for (int x = x0; x < x1; x++) cells[x + nx * (y + ny * z)] = CellType.Fluid;
        }
        int last = offset;
        for (int z = offset, layer = 0; z + width < nz - 1; z += pitch, layer++)
        {
            int lastRow = offset;
            for (int y = offset, row = 0; y + width <= ny - 1; y += pitch, row++)
            {
                Fluid(offset, nx - 1, y, y + width, z, z + width);
                int turn = row % 2 == 0 ? nx - 1 - width : offset;
                if (y + pitch + width <= ny - 1) Fluid(turn, turn + width, y, y + pitch + width, z, z + width);
                lastRow = y;
            }
            int shaft = layer % 2 == 0 ? lastRow : offset;
            if (z + pitch + width < nz - 1) Fluid(offset, offset + width, shaft, shaft + width, z, z + pitch + width);
            last = z;
        }
        Fluid(offset, offset + 1, offset, offset + 1, last, nz - 1);
        cells[offset + nx * (offset + ny * (nz - 1))] = CellType.Air;
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>A dam break's first moment: a block of liquid against one wall (width and height as fractions of the box), air elsewhere.</summary>
    public static PoissonGrid DamBreak(int nx, int ny, int nz, double width, double height)
    {
        var cells = new CellType[(long)nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) => cells[i] = x + 0.5 < width * nx && z + 0.5 < height * nz ? CellType.Fluid : CellType.Air);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>The carved rock's solid share and wavelength in cells by default (<see cref="CarvedRock"/>).</summary>
    public const double CarvedSolid = 0.8, CarvedWavelength = 8;
    /// <summary>The bead pack's solid share and mean bead radius in cells by default (<see cref="BeadPack"/>).</summary>
    public const double BeadSolid = 0.65, BeadRadius = 3.5;
    /// <summary>The chambers' pitch in cells by default (<see cref="Chambers"/>).</summary>
    public const int ChamberPitch = 7;

    /// <summary>
    /// Rock carved at the scale of the cells: a smooth random field (24 plane waves of about <paramref name="wavelength"/>
    /// cells, in random directions) cut where <paramref name="solidFraction"/> of the cells are solid, an air layer on top.
    /// Unlike <see cref="NoiseCarved"/>, whose waves scale with the box, the passages stay one to three cells across at
    /// every size, and at 80% solid, fluid and rock alternate every few cells along a row. Pockets cut off from the air
    /// are closed components.
    /// </summary>
    public static PoissonGrid CarvedRock(int nx, int ny, int nz, double solidFraction, double wavelength, int seed)
    {
        if (!(solidFraction > 0 && solidFraction < 1)) throw new ArgumentOutOfRangeException(nameof(solidFraction), $"solid fraction {solidFraction} must be in (0, 1)");
        if (!(wavelength >= 2 && double.IsFinite(wavelength))) throw new ArgumentOutOfRangeException(nameof(wavelength), $"a wavelength of at least 2 cells, got {wavelength}");
        var rng = new Random(seed);
        var waves = Enumerable.Range(0, 24).Select(_ =>
        {
            double cosTheta = 2 * rng.NextDouble() - 1, sinTheta = Math.Sqrt(1 - cosTheta * cosTheta), phi = 2 * Math.PI * rng.NextDouble();
            double k = 2 * Math.PI / (wavelength * (0.7 + 0.6 * rng.NextDouble()));
            return (X: k * sinTheta * Math.Cos(phi), Y: k * sinTheta * Math.Sin(phi), Z: k * cosTheta, Phase: 2 * Math.PI * rng.NextDouble());
        }).ToArray();
        var field = new double[(long)nx * ny * nz];
        Parallel.For(0, nz, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    double v = 0;
                    foreach (var w in waves) v += Math.Cos(w.X * x + w.Y * y + w.Z * z + w.Phase);
                    field[x + (long)nx * (y + (long)ny * z)] = v;
                }
        });
        double cut = SortedRank.ValueAt(field, (long)((1 - solidFraction) * (field.Length - 1)));
        var cells = new CellType[field.Length];
        for (long i = 0; i < field.Length; i++) cells[i] = field[i] > cut ? CellType.Solid : CellType.Fluid;
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// A bead pack: solid spheres at random, their radii 0.7 to 1.3 times <paramref name="radius"/> cells, overlapping,
    /// until <paramref name="solidFraction"/> of the cells are solid; fluid in the pores between them, an air layer on
    /// top. Where beads nearly touch the throats are one or two cells wide, at every size.
    /// </summary>
    public static PoissonGrid BeadPack(int nx, int ny, int nz, double solidFraction, double radius, int seed)
    {
        if (!(solidFraction > 0 && solidFraction < 1)) throw new ArgumentOutOfRangeException(nameof(solidFraction), $"solid fraction {solidFraction} must be in (0, 1)");
        if (!(radius >= 1)) throw new ArgumentOutOfRangeException(nameof(radius), $"a bead radius of at least 1 cell, got {radius}");
        var rng = new Random(seed);
        var cells = Fluid(nx, ny, nz);
        long solid = 0, target = (long)(solidFraction * cells.Length);
        while (solid < target)
        {
            double r = radius * (0.7 + 0.6 * rng.NextDouble()), cx = nx * rng.NextDouble(), cy = ny * rng.NextDouble(), cz = nz * rng.NextDouble();
            for (int z = Math.Max(0, (int)(cz - r)); z <= Math.Min(nz - 1, (int)(cz + r)); z++)
                for (int y = Math.Max(0, (int)(cy - r)); y <= Math.Min(ny - 1, (int)(cy + r)); y++)
                    for (int x = Math.Max(0, (int)(cx - r)); x <= Math.Min(nx - 1, (int)(cx + r)); x++)
                    {
                        double dx = x + 0.5 - cx, dy = y + 0.5 - cy, dz = z + 0.5 - cz;
                        long i = x + (long)nx * (y + (long)ny * z);
                        if (dx * dx + dy * dy + dz * dz <= r * r && cells[i] != CellType.Solid) { cells[i] = CellType.Solid; solid++; }
                    }
        }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    /// <summary>
    /// Chambers: walls one cell thick every <paramref name="pitch"/> cells along each axis, at an offset the seed picks
    /// per axis, each wall between two chambers pierced by one pinhole at random, an air layer on top; every chamber
    /// drains to the air through the pinholes. Over a thousand nearly closed chambers at 128^3 (pitch 7) whose pressures
    /// meet through single faces: the slow modes are one value per chamber. At a pitch of 8 on walls at multiples of 8
    /// the walls would fall on the coarse levels' block faces; 7 and a random offset cut through blocks, as a CFD
    /// code's geometry does.
    /// </summary>
    public static PoissonGrid Chambers(int nx, int ny, int nz, int pitch, int seed)
    {
        if (pitch < 3) throw new ArgumentOutOfRangeException(nameof(pitch), $"chambers need a pitch of at least 3 cells (a wall and two inside), got {pitch}");
        var rng = new Random(seed);
        var cells = new CellType[(long)nx * ny * nz];
        long I(int x, int y, int z) => x + (long)nx * (y + (long)ny * z);
        int ox = rng.Next(pitch), oy = rng.Next(pitch), oz = rng.Next(pitch);
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                    cells[I(x, y, z)] = (x + ox) % pitch == 0 || (y + oy) % pitch == 0 || (z + oz) % pitch == 0 ? CellType.Solid : CellType.Fluid;
        // each chamber's walls on its low sides (at c0, the wall before its cells c0 + 1 .. c0 + pitch - 1, the first
        // chamber's before the grid), one pinhole each at a random place of the chamber's square
        IEnumerable<int> Walls(int n, int offset)
        {
            for (int c0 = (pitch - offset) % pitch - pitch; c0 < n; c0 += pitch) yield return c0;
        }
        int Inside(int c0, int n)
        {
            int lo = Math.Max(0, c0 + 1), hi = Math.Min(n - 1, c0 + pitch - 1);
            return lo > hi ? -1 : lo + rng.Next(hi - lo + 1);
        }
        foreach (int z0 in Walls(nz, oz))
            foreach (int y0 in Walls(ny, oy))
                foreach (int x0 in Walls(nx, ox))
                {
                    int hx = Inside(x0, nx), hy = Inside(y0, ny), hz = Inside(z0, nz);
                    if (hx < 0 || hy < 0 || hz < 0) continue;
                    if (x0 > 0) cells[I(x0, hy, hz)] = CellType.Fluid;
                    if (y0 > 0) cells[I(hx, y0, hz)] = CellType.Fluid;
                    if (z0 > 0) cells[I(hx, hy, z0)] = CellType.Fluid;
                }
        AirTop(cells, nx, ny, nz);
        return new PoissonGrid(nx, ny, nz, cells);
    }

    static CellType[] Fluid(int nx, int ny, int nz)
    {
        var cells = new CellType[(long)nx * ny * nz];
        Array.Fill(cells, CellType.Fluid);
        return cells;
    }

    static void AirTop(CellType[] cells, int nx, int ny, int nz)
    {
        int top = nx * ny * (nz - 1);
        for (int i = 0; i < nx * ny; i++) cells[top + i] = CellType.Air;
    }

    static void ForEach(int nx, int ny, int nz, Action<int, int, int, int> body)
    {
        int i = 0;
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                    body(x, y, z, i++);
    }
}
