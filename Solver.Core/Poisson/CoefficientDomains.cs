namespace Dcdm.Poisson;

/// <summary>
/// Generated pressure operators with per-face coefficients (<see cref="VoxelOperator"/>), the three kinds CFD codes
/// assemble beyond the unit operator. Deterministic for a seed; walls all round and an open top (a Dirichlet face above
/// the top layer of unknowns) unless said otherwise.
/// </summary>
public static class CoefficientDomains
{
    /// <summary>The families <see cref="Named"/> knows; each takes an aspect (cells flatter along z: 1 by default, the
    /// flat-cells tank 4 and the graded channel's wall cells 8 by <see cref="Named"/>).</summary>
    public static IReadOnlyList<string> Families { get; } = ["two-phase", "cut-cell", "ghost-fluid", "flat-cells", "cut-cell-rock", "graded-channel"];

    /// <summary>One of <see cref="Families"/> with its default parameters (density ratio 1000; cells 4x flatter along z; the graded
    /// channel's wall cells 8x).</summary>
    public static VoxelOperator Named(string family, int nx, int ny, int nz, int seed) => family switch
    {
        "two-phase" => TwoPhase(nx, ny, nz, 1000, seed),
        "cut-cell" => CutCell(nx, ny, nz, seed),
        "ghost-fluid" => GhostFluid(nx, ny, nz, seed),
        "flat-cells" => FlatCells(nx, ny, nz, 4, seed),
        "cut-cell-rock" => CutCellRock(nx, ny, nz, seed),
        "graded-channel" => GradedChannel(nx, ny, nz, GradedChannelAspect, seed),
        _ => throw new ArgumentException($"coefficient family '{family}' is unknown; use one of {string.Join(", ", Families)}", nameof(family)),
    };

    /// <summary>
    /// Liquid (density <paramref name="densityRatio"/>) filling 60% of a box under air (density 1), with air bubbles in
    /// the liquid and droplets in the air; both phases are unknowns, each face's coefficient 2 / (rho_i + rho_j), and
    /// the top layer's faces out of the box are Dirichlet (p = 0 above).
    /// </summary>
    /// <param name="aspect">Cells this many times flatter along z: the z faces and the Dirichlet terms of faces along z
    /// aspect^2 times (1: cubic).</param>
    /// <param name="interfaceWidth">0: each cell liquid or air (a sharp interface). w &gt; 0: the density smeared over w cells
    /// either side of the interface, as level-set codes do (Sussman, Smereka and Osher 1994): rho = 1 + (ratio - 1) H(-phi)
    /// with phi the signed distance to the surface, bubbles and droplets at the cell's centre and H the smoothed Heaviside
    /// 1/2 (1 + phi / w + sin(pi phi / w) / pi) on |phi| &lt; w.</param>
    public static VoxelOperator TwoPhase(int nx, int ny, int nz, double densityRatio, int seed, double aspect = 1, double interfaceWidth = 0)
    {
        if (!(densityRatio >= 1)) throw new ArgumentOutOfRangeException(nameof(densityRatio), $"a density ratio >= 1, got {densityRatio}");
        if (!(interfaceWidth >= 0 && double.IsFinite(interfaceWidth)))
            throw new ArgumentOutOfRangeException(nameof(interfaceWidth), $"an interface width of 0 (sharp) or more cells, got {interfaceWidth}");
        double along = Along(aspect);
        var rng = new Random(seed);
        var rho = new double[nx * ny * nz];
        double surface = 0.6 * nz;
        var bubbles = Balls(rng, nx, ny, nz, 8, 0.05, 0.12, 0.1, 0.5); // in the liquid
        var droplets = Balls(rng, nx, ny, nz, 6, 0.03, 0.08, 0.7, 0.9); // in the air
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (interfaceWidth > 0)
            {
                rho[i] = 1 + (densityRatio - 1) * SmoothedHeaviside(-LiquidDistance(surface, bubbles, droplets, x, y, z), interfaceWidth);
                return;
            }
            bool liquid = z + 0.5 < surface;
            if (liquid && Inside(bubbles, x, y, z)) liquid = false;
            else if (!liquid && Inside(droplets, x, y, z)) liquid = true;
            rho[i] = liquid ? densityRatio : 1;
        });
        var op = new Coefficients(nx, ny, nz);
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (x + 1 < nx) op.FaceX[i] = 2 / (rho[i] + rho[i + 1]);
            if (y + 1 < ny) op.FaceY[i] = 2 / (rho[i] + rho[i + nx]);
            if (z + 1 < nz) op.FaceZ[i] = along * 2 / (rho[i] + rho[i + nx * ny]);
            else op.Dirichlet[i] = along / rho[i];
        });
        return op.Build();
    }

    /// <summary>
    /// A smoke box around smooth solid spheres and a rounded shelf, cut-cell style (Batty, Bertails and Bridson 2007):
    /// each face's coefficient is its open fraction (sampled 4x4 over the face), so faces near a surface are partly
    /// open, some nearly closed; a cell whose faces are all closed is no unknown. Open top.
    /// </summary>
    /// <param name="aspect">Cells this many times flatter along z: the z faces and the Dirichlet terms of faces along z
    /// aspect^2 times (1: cubic).</param>
    public static VoxelOperator CutCell(int nx, int ny, int nz, int seed, double aspect = 1)
    {
        double along = Along(aspect);
        var rng = new Random(seed);
        var spheres = Balls(rng, nx, ny, nz, 10, 0.06, 0.16, 0.1, 0.75);
        int n = Math.Min(nx, Math.Min(ny, nz));
        double shelfZ = nz * (0.45 + 0.1 * rng.NextDouble()), shelfHalf = Math.Max(0.9, n / 40.0); // a shelf about two cells thick
        // solid where the signed distance is negative: inside a sphere, or the shelf (the middle 70% in x, all of y)
        double Distance(double x, double y, double z)
        {
            double d = Math.Abs(z - shelfZ) - shelfHalf;
            d = Math.Max(d, Math.Abs(x - nx / 2.0) - 0.35 * nx);
            foreach (var (cx, cy, cz, r) in spheres) d = Math.Min(d, Math.Sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy) + (z - cz) * (z - cz)) - r);
            return d;
        }
        double Open(double x0, double y0, double z0, int axis)
        {
            int open = 0;
            for (int a = 0; a < 4; a++)
                for (int b = 0; b < 4; b++)
                {
                    double u = (a + 0.5) / 4, v = (b + 0.5) / 4;
                    var (x, y, z) = axis switch { 0 => (x0, y0 + u, z0 + v), 1 => (x0 + u, y0, z0 + v), _ => (x0 + u, y0 + v, z0) };
                    if (Distance(x, y, z) > 0) open++;
                }
            return open / 16.0;
        }
        var op = new Coefficients(nx, ny, nz);
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (x + 1 < nx) op.FaceX[i] = Open(x + 1, y, z, 0);
            if (y + 1 < ny) op.FaceY[i] = Open(x, y + 1, z, 1);
            if (z + 1 < nz) op.FaceZ[i] = along * Open(x, y, z + 1, 2);
            else op.Dirichlet[i] = along * Open(x, y, z + 1, 2);
        });
        return op.Build();
    }

    /// <summary><see cref="CutCellRock(int, int, int, int, double, double, double)"/>'s share of fluid cell centres by default.</summary>
    public const double CutCellRockFluid = 0.35;
    /// <summary><see cref="CutCellRock(int, int, int, int, double, double, double)"/>'s wavelength in cells by default.</summary>
    public const double CutCellRockWavelength = 8;

    /// <summary>
    /// Porous rock at the scale of the cells, cut-cell style: a smooth random field (twelve plane waves of wavelength
    /// about <paramref name="wavelength"/> cells, in random directions) is solid above the level that leaves
    /// <paramref name="fluid"/> of the cells' centres in fluid, so (at the defaults, 8 cells and 35%) the pores meet
    /// through throats one to three cells wide and about half the open faces are partly open; a shorter wavelength makes
    /// finer rock, less fluid narrower throats. Each face's coefficient is its open fraction (4x4 samples of the field,
    /// bilinear over the face from its corners); cells that reach the open top through open faces are the unknowns (a pore
    /// closed off from it would be a singular block).
    /// </summary>
    /// <param name="aspect">Cells this many times flatter along z: the z faces and the Dirichlet terms of faces along z
    /// aspect^2 times (1: cubic).</param>
    /// <param name="fluid">The share of the cells' centres in fluid, in (0, 1).</param>
    /// <param name="wavelength">The waves' mean wavelength in cells (each 0.7-1.3 times it), at least 2.</param>
    public static VoxelOperator CutCellRock(int nx, int ny, int nz, int seed, double aspect = 1, double fluid = CutCellRockFluid, double wavelength = CutCellRockWavelength)
    {
        if (!(fluid > 0 && fluid < 1))
            throw new ArgumentOutOfRangeException(nameof(fluid), fluid, $"the cut-cell rock's share of fluid cell centres must lie in (0, 1), got {fluid}");
        if (!(wavelength >= 2 && double.IsFinite(wavelength)))
            throw new ArgumentOutOfRangeException(nameof(wavelength), wavelength, $"the cut-cell rock's wavelength must be at least 2 cells (the cells' corners sample the waves), got {wavelength}");
        var rng = new Random(seed);
        var waves = Enumerable.Range(0, 12).Select(_ =>
        {
            double u = 2 * rng.NextDouble() - 1, phi = 2 * Math.PI * rng.NextDouble(), s = Math.Sqrt(1 - u * u);
            double k = 2 * Math.PI / (wavelength * (0.7 + 0.6 * rng.NextDouble()));
            return (X: k * s * Math.Cos(phi), Y: k * s * Math.Sin(phi), Z: k * u, Phase: 2 * Math.PI * rng.NextDouble(), Amplitude: 0.5 + rng.NextDouble());
        }).ToArray();
        int cx = nx + 1, cxy = (nx + 1) * (ny + 1);
        var corner = new double[cxy * (nz + 1)]; // the field at the cells' corners
        Parallel.For(0, nz + 1, z =>
        {
            for (int y = 0, i = cxy * z; y <= ny; y++)
                for (int x = 0; x <= nx; x++, i++)
                    foreach (var w in waves) corner[i] += w.Amplitude * Math.Cos(w.X * x + w.Y * y + w.Z * z + w.Phase);
        });
        double At(int x, int y, int z) => corner[x + cx * y + cxy * z];
        var centre = new double[nx * ny * nz];
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            double sum = 0;
            for (int c = 0; c < 8; c++) sum += At(x + (c & 1), y + (c >> 1 & 1), z + (c >> 2));
            centre[i] = sum / 8;
        });
        Array.Sort(centre);
        double cut = centre[(int)(fluid * (centre.Length - 1))];
        return CutCellRock(nx, ny, nz, corner, cut, aspect);
    }

    /// <summary>
    /// <see cref="CutCellRock(int, int, int, int, double, double, double)"/>'s operator from its field at the cells' corners
    /// (<paramref name="corner"/>: (nx + 1) (ny + 1) (nz + 1) values, x fastest), open below <paramref name="cut"/>: each
    /// face's open share of 4x4 samples, the cells the open top reaches through open faces the unknowns.
    /// </summary>
    internal static VoxelOperator CutCellRock(int nx, int ny, int nz, double[] corner, double cut, double aspect)
    {
        double along = Along(aspect);
        int cx = nx + 1, cxy = (nx + 1) * (ny + 1);
        double At(int x, int y, int z) => corner[x + cx * y + cxy * z];
        // the open share of the face at corner (x, y, z) spanning axes a and b: 4x4 bilinear samples below the cut
        double Open(int x, int y, int z, int axis)
        {
            var (a, b) = axis switch { 0 => ((0, 1, 0), (0, 0, 1)), 1 => ((1, 0, 0), (0, 0, 1)), _ => ((1, 0, 0), (0, 1, 0)) };
            double f00 = At(x, y, z), f10 = At(x + a.Item1, y + a.Item2, z + a.Item3), f01 = At(x + b.Item1, y + b.Item2, z + b.Item3),
                f11 = At(x + a.Item1 + b.Item1, y + a.Item2 + b.Item2, z + a.Item3 + b.Item3);
            int open = 0;
            for (int p = 0; p < 4; p++)
                for (int q = 0; q < 4; q++)
                {
                    double u = (p + 0.5) / 4, v = (q + 0.5) / 4;
                    if (f00 * (1 - u) * (1 - v) + f10 * u * (1 - v) + f01 * (1 - u) * v + f11 * u * v < cut) open++;
                }
            return open / 16.0;
        }
        var op = new Coefficients(nx, ny, nz);
        int plane = nx * ny;
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (x + 1 < nx) op.FaceX[i] = Open(x + 1, y, z, 0);
            if (y + 1 < ny) op.FaceY[i] = Open(x, y + 1, z, 1);
            if (z + 1 < nz) op.FaceZ[i] = along * Open(x, y, z + 1, 2);
            else op.Dirichlet[i] = along * Open(x, y, z + 1, 2);
        });
        // keep the cells the open top reaches through open faces; the others' faces close
        var unreduced = op.Build(); // every face as sampled, to walk
        var reached = new bool[nx * ny * nz];
        var stack = new Stack<int>();
        void Visit(int j, double face) { if (!reached[j]) { reached[j] = true; stack.Push(j); } }
        for (int i = (nz - 1) * plane; i < nz * plane; i++)
            if (op.Dirichlet[i] > 0) Visit(i, op.Dirichlet[i]);
        while (stack.Count > 0) unreduced.OpenFaces(stack.Pop(), Visit);
        for (int i = 0; i < reached.Length; i++)
            if (!reached[i]) op.FaceX[i] = op.FaceY[i] = op.FaceZ[i] = op.Dirichlet[i] = 0; // its lower faces close from the cell below
        return op.Build();
    }

    /// <summary>
    /// A tank whose liquid surface is a smooth wave (a level set phi = z - h(x, y)) around a few solid blocks, with
    /// ghost-fluid surface faces (Gibou et al. 2002): a liquid cell's air neighbour adds 1 / theta to its diagonal,
    /// theta = phi_i / (phi_i - phi_j) the liquid's share of the distance between the cell centres, clamped to [0.05, 1].
    /// </summary>
    /// <param name="aspect">Cells this many times flatter along z: the z faces and the Dirichlet terms of faces along z
    /// aspect^2 times (1: cubic).</param>
    public static VoxelOperator GhostFluid(int nx, int ny, int nz, int seed, double aspect = 1)
    {
        double along = Along(aspect);
        var rng = new Random(seed);
        double a1 = 0.08 * nz * (0.5 + rng.NextDouble()), a2 = 0.05 * nz * (0.5 + rng.NextDouble());
        double k1 = 2 * Math.PI * (1 + rng.Next(3)) / nx, k2 = 2 * Math.PI * (1 + rng.Next(3)) / ny, p1 = 6.3 * rng.NextDouble();
        double Phi(int x, int y, int z) => z + 0.5 - (0.55 * nz + a1 * Math.Sin(k1 * (x + 0.5) + p1) + a2 * Math.Cos(k2 * (y + 0.5)));
        var solid = new bool[nx * ny * nz];
        for (int b = 0; b < 4; b++)
        {
            int sx = rng.Next(nx / 8, nx / 3 + 1), sy = rng.Next(ny / 8, ny / 3 + 1), sz = rng.Next(nz / 8, nz / 3 + 1);
            int x0 = rng.Next(0, nx - sx + 1), y0 = rng.Next(0, ny - sy + 1);
            ForEach(nx, ny, nz, (x, y, z, i) => { if (x >= x0 && x < x0 + sx && y >= y0 && y < y0 + sy && z < sz) solid[i] = true; });
        }
        bool Liquid(int x, int y, int z, int i) => !solid[i] && Phi(x, y, z) < 0;
        var op = new Coefficients(nx, ny, nz);
        int plane = nx * ny;
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (!Liquid(x, y, z, i)) return;
            double phi = Phi(x, y, z);
            void Neighbour(bool inside, int j, int jx, int jy, int jz, double[]? face, double unit)
            {
                if (!inside || solid[j]) return;
                if (Liquid(jx, jy, jz, j)) { if (face is not null) face[Math.Min(i, j)] = unit; return; }
                double theta = Math.Clamp(phi / (phi - Phi(jx, jy, jz)), 0.05, 1);
                op.Dirichlet[i] += unit / theta;
            }
            Neighbour(x + 1 < nx, i + 1, x + 1, y, z, op.FaceX, 1);
            Neighbour(x > 0, i - 1, x - 1, y, z, null, 1); // the lower cell's face was set from there
            Neighbour(y + 1 < ny, i + nx, x, y + 1, z, op.FaceY, 1);
            Neighbour(y > 0, i - nx, x, y - 1, z, null, 1);
            Neighbour(z + 1 < nz, i + plane, x, y, z + 1, op.FaceZ, along);
            Neighbour(z > 0, i - plane, x, y, z - 1, null, along);
        });
        return op.Build();
    }

    /// <summary>
    /// A tank of liquid up to 70% of its height on cells <paramref name="aspect"/> times flatter along z than across
    /// (h x h x h / aspect, as a grid refined towards a floor or a surface): each face's coefficient is its area over the
    /// distance between the cell centres, so the faces along z are aspect^2 the others. A few solid blocks stand on the
    /// floor; the liquid's top layer has a Dirichlet face to the air above (p = 0 there).
    /// </summary>
    public static VoxelOperator FlatCells(int nx, int ny, int nz, double aspect, int seed)
    {
        double along = Along(aspect);
        var rng = new Random(seed);
        var solid = new bool[nx * ny * nz];
        for (int b = 0; b < 4; b++)
        {
            int sx = rng.Next(nx / 8, nx / 3 + 1), sy = rng.Next(ny / 8, ny / 3 + 1), sz = rng.Next(nz / 8, nz / 2 + 1);
            int x0 = rng.Next(0, nx - sx + 1), y0 = rng.Next(0, ny - sy + 1);
            ForEach(nx, ny, nz, (x, y, z, i) => { if (x >= x0 && x < x0 + sx && y >= y0 && y < y0 + sy && z < sz) solid[i] = true; });
        }
        int top = Math.Max(1, (int)Math.Round(0.7 * nz)); // the liquid's layers
        bool Liquid(int z, int i) => z < top && !solid[i];
        var op = new Coefficients(nx, ny, nz);
        int plane = nx * ny;
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (!Liquid(z, i)) return;
            if (x + 1 < nx && Liquid(z, i + 1)) op.FaceX[i] = 1;
            if (y + 1 < ny && Liquid(z, i + nx)) op.FaceY[i] = 1;
            if (z + 1 < nz && Liquid(z + 1, i + plane)) op.FaceZ[i] = along;
            else if (z + 1 == top) op.Dirichlet[i] = along;
        });
        return op.Build();
    }

    /// <summary>The graded channel's wall cells, this many times flatter than across by default.</summary>
    public const double GradedChannelAspect = 8;

    /// <summary>
    /// A channel between a floor and a ceiling on a mesh graded towards both, as LES and RANS codes mesh boundary layers:
    /// cells h x h x dz, dz growing geometrically from h / <paramref name="aspect"/> at each wall to h at mid-height (so the
    /// cells are flat along z near the walls and cubic in the middle, and the strong axis changes across the channel).
    /// Solid ribs one cell long span the floor across y every quarter of the length (a rib-roughened channel), each an
    /// eighth of the layers high or one layer more (the floor's layers are thin: about 6% of the height at 32^3). The
    /// outlet (beyond x = nx - 1) is a Dirichlet face (p = 0 there); the other sides are walls. Each face's coefficient
    /// is its area over the distance between the cell centres (h = 1): dz along x and y, 1 / the mean of the two dz
    /// along z, 2 dz at the outlet.
    /// </summary>
    /// <param name="aspect">The wall cells' width over height, at least 1.</param>
    public static VoxelOperator GradedChannel(int nx, int ny, int nz, double aspect, int seed)
    {
        if (!(aspect >= 1 && double.IsFinite(aspect))) throw new ArgumentOutOfRangeException(nameof(aspect), $"an aspect ratio >= 1, got {aspect}");
        // dz by the distance to the nearer wall, in cells: h / aspect at the walls, growing by one ratio to h at mid-height
        double ratio = Math.Pow(aspect, 1.0 / Math.Max(1, (nz + 1) / 2 - 1));
        var dz = new double[nz];
        for (int z = 0; z < nz; z++) dz[z] = Math.Min(1, Math.Pow(ratio, Math.Min(z, nz - 1 - z)) / aspect);
        var rng = new Random(seed);
        var solid = new bool[nx * ny * nz];
        for (int r = 1; r <= 3; r++)
        {
            int x = Math.Clamp(r * nx / 4 + rng.Next(-1, 2), 0, nx - 1), height = Math.Max(1, nz / 8 + rng.Next(0, 2));
            for (int z = 0; z < Math.Min(height, nz - 1); z++) // the rib's cells only, not a pass over the grid
                for (int y = 0; y < ny; y++) solid[x + nx * (y + ny * z)] = true;
        }
        var op = new Coefficients(nx, ny, nz);
        int plane = nx * ny;
        ForEach(nx, ny, nz, (x, y, z, i) =>
        {
            if (solid[i]) return;
            if (x + 1 < nx && !solid[i + 1]) op.FaceX[i] = dz[z];
            else if (x + 1 == nx) op.Dirichlet[i] = 2 * dz[z];
            if (y + 1 < ny && !solid[i + nx]) op.FaceY[i] = dz[z];
            if (z + 1 < nz && !solid[i + plane]) op.FaceZ[i] = 2 / (dz[z] + dz[z + 1]);
        });
        return op.Build();
    }

    /// <summary>
    /// A face along z over a face across it on cells <paramref name="aspect"/> times flatter along z (h x h x h / aspect: a
    /// face's coefficient is its area over the distance between the cell centres), aspect^2; what every family
    /// multiplies its z faces and the Dirichlet terms of faces along z by.
    /// </summary>
    static double Along(double aspect) => aspect >= 1 && double.IsFinite(aspect) ? aspect * aspect
        : throw new ArgumentOutOfRangeException(nameof(aspect), $"an aspect ratio >= 1, got {aspect}");

    /// <summary>An operator's arrays while a family fills them; checked once, by <see cref="VoxelOperator"/>'s constructor.</summary>
    sealed class Coefficients(int nx, int ny, int nz)
    {
        public readonly double[] FaceX = new double[nx * ny * nz], FaceY = new double[nx * ny * nz], FaceZ = new double[nx * ny * nz], Dirichlet = new double[nx * ny * nz];
        public VoxelOperator Build() => new(nx, ny, nz, FaceX, FaceY, FaceZ, Dirichlet);
    }

    /// <summary>Balls of radius (rMin..rMax) times the smallest side, centres in the box with z in (zMin..zMax) of its height.</summary>
    static (double X, double Y, double Z, double R)[] Balls(Random rng, int nx, int ny, int nz, int count, double rMin, double rMax, double zMin, double zMax)
    {
        int n = Math.Min(nx, Math.Min(ny, nz));
        return [.. Enumerable.Range(0, count).Select(_ => (nx * (0.15 + 0.7 * rng.NextDouble()), ny * (0.15 + 0.7 * rng.NextDouble()),
            nz * (zMin + (zMax - zMin) * rng.NextDouble()), n * (rMin + (rMax - rMin) * rng.NextDouble())))];
    }

    /// <summary>The signed distance from cell (x, y, z)'s centre to <see cref="TwoPhase"/>'s liquid, negative inside it: the
    /// liquid under the surface with the bubbles carved out, and the droplets.</summary>
    static double LiquidDistance(double surface, (double X, double Y, double Z, double R)[] bubbles, (double X, double Y, double Z, double R)[] droplets,
        int x, int y, int z)
    {
        double phi = z + 0.5 - surface;
        foreach (var b in bubbles) phi = Math.Max(phi, -BallDistance(b, x, y, z));
        foreach (var d in droplets) phi = Math.Min(phi, BallDistance(d, x, y, z));
        return phi;
    }

    static double BallDistance((double X, double Y, double Z, double R) ball, int x, int y, int z) => Math.Sqrt(SquaredDistance(ball, x, y, z)) - ball.R;

    /// <summary>From cell (x, y, z)'s centre to the ball's centre, squared.</summary>
    static double SquaredDistance((double X, double Y, double Z, double R) ball, int x, int y, int z)
    {
        double dx = x + 0.5 - ball.X, dy = y + 0.5 - ball.Y, dz = z + 0.5 - ball.Z;
        return dx * dx + dy * dy + dz * dz;
    }

    /// <summary>0 below -w, 1 above w, smooth between (its derivative vanishes at both ends).</summary>
    static double SmoothedHeaviside(double phi, double w) =>
        phi <= -w ? 0 : phi >= w ? 1 : 0.5 * (1 + phi / w + Math.Sin(Math.PI * phi / w) / Math.PI);

    static bool Inside((double X, double Y, double Z, double R)[] balls, int x, int y, int z)
    {
        foreach (var ball in balls)
            if (SquaredDistance(ball, x, y, z) <= ball.R * ball.R) return true;
        return false;
    }

    static void ForEach(int nx, int ny, int nz, Action<int, int, int, int> body)
    {
        for (int z = 0, i = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, i++) body(x, y, z, i);
    }
}
