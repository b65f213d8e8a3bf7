using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;

namespace Dcdm.Experiments;

/// <summary>
/// Geometry none of the generated families has, made to find where the hierarchy's iterations grow: each shape on an
/// n^3 grid, b the divergence of a random velocity field, pcg-mg and DCDM (kcycle) from zero to 1e-6.
/// </summary>
public static class StressGeometries
{
    public static readonly string[] Shapes = ["channel", "channel-1", "tubes", "film", "one-outlet", "foam", "percolation", "pipes", "closed-baffles", "sheets",
        "straddling-holes", "pinholes", "sieve", "shells", "fins", "inclined-plates", "inclined-windows", "gyroid", "fibers", "pipe-wall",
        "louvres", "gyroid-film", "cracks"];

    /// <summary>One markdown row per shape: iterations (solve ms, the faster of two solves) per size and method.</summary>
    public static IEnumerable<string> Table(IEnumerable<string> shapes, int[] sizes)
    {
        yield return "| shape | fluid | closed | " + string.Join(" | ", sizes.Select(n => $"{n}^3 pcg-mg | {n}^3 DCDM")) + " |";
        yield return "|---|---|---|" + string.Concat(sizes.Select(_ => "---|---|"));
        WarmUp(sizes.Min());
        foreach (var shape in shapes)
        {
            var cells = new List<string>();
            double fluid = 0, closed = 0;
            foreach (int n in sizes)
            {
                var grid = Make(shape, n);
                if (n == sizes[^1]) (fluid, closed) = ((double)grid.FluidCount / grid.CellCount, ClosedShare(grid)); // the last size's, as printed
                var b = RightHandSides.VelocityDivergence(grid, seed: 7);
                foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
                {
                    var solver = Solver(method, grid);
                    var first = solver.Solve(b, new double[b.Length]);
                    var second = solver.Solve(b, new double[b.Length]);
                    double ms = Math.Min(first.SolveTime.TotalMilliseconds, second.SolveTime.TotalMilliseconds);
                    cells.Add(second.Status == SolveStatus.Converged ? $"{second.Iterations} ({ms:F0} ms)" : $"{second.Status} {second.Iterations}");
                    (solver as IDisposable)?.Dispose();
                }
            }
            yield return $"| {shape} | {fluid:P0} | {closed:P0} | {string.Join(" | ", cells)} |";
        }
    }

    /// <summary>Solves a tank with both methods until the JIT has compiled the solvers' loops: without it the first row's
    /// times were those of code still compiling (inclined-plates at 64^3: 118-165 ms first, 22-24 ms after another row).</summary>
    static void WarmUp(int n)
    {
        var grid = PoissonDomains.FreeSurfaceTank(n, n, n, 0.6, seed: 1);
        var b = RightHandSides.VelocityDivergence(grid, seed: 7);
        foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
        {
            var solver = Solver(method, grid);
            for (int i = 0; i < 20; i++) solver.Solve(b, new double[b.Length]);
            (solver as IDisposable)?.Dispose();
        }
    }

    /// <summary>pcg-mg or DCDM (the shipped default) on the grid, to 1e-6 in at most 200 iterations.</summary>
    static ILinearSolver Solver(SolveMethod method, PoissonGrid grid) =>
        new SolverCatalog().CreateForGrid(method, grid, new SolverOptions { Tolerance = 1e-6, MaxIterations = 200 }, ShippedModels.Default());

    /// <summary>The share of the fluid cells in pockets no face path joins to an air cell (the grid's singular components,
    /// <see cref="ReducedSystem.SingularComponents"/>, whose consistent part the solvers take). Of the table's largest size.</summary>
    public static double ClosedShare(PoissonGrid grid) =>
        grid.FluidCount == 0 ? 0 : (double)ReducedSystem.FromGrid(grid).SingularComponents.Sum(c => c.Length) / grid.FluidCount;

    public static PoissonGrid Make(string shape, int n)
    {
        var rng = new Random(7);
        var cells = new CellType[n * n * n];
        int At(int x, int y, int z) => x + n * (y + n * z);
        void AirTop() { for (int i = n * n * (n - 1); i < cells.Length; i++) cells[i] = CellType.Air; }
        switch (shape)
        {
            case "channel": return PoissonDomains.Channel(n, n, n, 2, offset: 1);
            case "channel-1": return PoissonDomains.Channel(n, n, n, 1, offset: 1);
            case "tubes": // a tube bank: solid rods two cells across along y on a 5-cell lattice in x and z, in a smoke box
                Array.Fill(cells, CellType.Fluid);
                for (int z = 3; z < n - 3; z++)
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            if (x % 5 is 2 or 3 && z % 5 is 2 or 3) cells[At(x, y, z)] = CellType.Solid;
                AirTop();
                break;
            case "film": // a liquid film two cells thick on the floor, air above
                Array.Fill(cells, CellType.Air);
                for (int i = 0; i < 2 * n * n; i++) cells[i] = CellType.Fluid;
                break;
            case "one-outlet": // a closed box of liquid with one air cell in a corner: Dirichlet at one cell
                Array.Fill(cells, CellType.Fluid);
                cells[At(n - 1, n - 1, n - 1)] = CellType.Air;
                break;
            case "foam": // 3n/8 walls one cell thick across the box, along x, y or z at random places, each with one 2x2 hole
                Array.Fill(cells, CellType.Fluid);
                for (int w = 0; w < 3 * n / 8; w++)
                {
                    int axis = rng.Next(3), at = rng.Next(1, n - 3), a0 = rng.Next(0, n - 2), b0 = rng.Next(0, n - 2);
                    for (int p = 0; p < n; p++)
                        for (int q = 0; q < n; q++)
                        {
                            if (p >= a0 && p < a0 + 2 && q >= b0 && q < b0 + 2 || axis != 2 && q >= n - 2) continue;
                            cells[axis == 0 ? At(at, p, q) : axis == 1 ? At(p, at, q) : At(p, q, at)] = CellType.Solid;
                        }
                }
                AirTop();
                break;
            case "percolation": // each cell solid with probability 0.55 on its own: passages one cell wide, thousands of closed pockets
                for (int i = 0; i < cells.Length; i++) cells[i] = rng.NextDouble() < 0.55 ? CellType.Solid : CellType.Fluid;
                AirTop();
                break;
            case "pipes": // a lattice of pipes one cell across in solid, every 4 cells along each axis
                for (int z = 0; z < n; z++)
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            cells[At(x, y, z)] = (x % 4 == 1 ? 1 : 0) + (y % 4 == 1 ? 1 : 0) + (z % 4 == 1 ? 1 : 0) >= 2 ? CellType.Fluid : CellType.Solid;
                AirTop();
                break;
            case "closed-baffles": // the baffles family with its air made liquid: pure Neumann, singular
            {
                var baffles = PoissonDomains.Baffles(n, n, n, 7).Cells;
                for (int i = 0; i < cells.Length; i++) cells[i] = baffles[i] == CellType.Air ? CellType.Fluid : baffles[i];
                break;
            }
            case "sheets": // horizontal plates one cell thick every third layer, each with one 2x2 hole: a stack of chambers
                Array.Fill(cells, CellType.Fluid);
                for (int z = 2; z < n - 2; z += 3)
                {
                    int a0 = rng.Next(0, n - 2), b0 = rng.Next(0, n - 2);
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            if (!(x >= a0 && x < a0 + 2 && y >= b0 && y < b0 + 2)) cells[At(x, y, z)] = CellType.Solid;
                }
                AirTop();
                break;
            case "straddling-holes": // the sheets with each 2x2 hole at odd x and y: split among four of the first level's blocks
            case "pinholes": // the sheets with a hole of one cell each
            {
                int hole = shape == "pinholes" ? 1 : 2;
                Array.Fill(cells, CellType.Fluid);
                for (int z = 2; z < n - 2; z += 3)
                {
                    int a0 = rng.Next(0, n - hole), b0 = rng.Next(0, n - hole);
                    if (hole == 2) (a0, b0) = (Math.Min(a0 | 1, n - 3), Math.Min(b0 | 1, n - 3));
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            if (!(x >= a0 && x < a0 + hole && y >= b0 && y < b0 + hole)) cells[At(x, y, z)] = CellType.Solid;
                }
                AirTop();
                break;
            }
            case "sieve": // plates one cell thick every third layer, each with one-cell holes on a 4-cell lattice, shifted plate to plate
                Array.Fill(cells, CellType.Fluid);
                for (int z = 2, k = 0; z < n - 2; z += 3, k++)
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            if (!((x + k) % 4 == 0 && (y + 2 * k) % 4 == 0)) cells[At(x, y, z)] = CellType.Solid;
                AirTop();
                break;
            case "shells": // nested closed cubic shells one cell thick, two cells apart, each with one hole of one cell in its top
                Array.Fill(cells, CellType.Fluid);
                for (int lo = 1; n - 3 - lo - lo >= 4; lo += 3)
                {
                    int hi = n - 3 - lo, hx = rng.Next(lo + 1, hi - 1), hy = rng.Next(lo + 1, hi - 1);
                    for (int z = lo; z <= hi; z++)
                        for (int y = lo; y <= hi; y++)
                            for (int x = lo; x <= hi; x++)
                                if ((x == lo || x == hi || y == lo || y == hi || z == lo || z == hi) && !(z == hi && x == hx && y == hy))
                                    cells[At(x, y, z)] = CellType.Solid;
                }
                AirTop();
                break;
            case "fins": // a heat sink: plates one cell thick along x-z every third y, from the floor to three quarters of the height
                Array.Fill(cells, CellType.Fluid);
                for (int y = 1; y < n; y += 3)
                    for (int z = 0; z < 3 * n / 4; z++)
                        for (int x = 2; x < n - 2; x++) cells[At(x, y, z)] = CellType.Solid;
                AirTop();
                break;
            case "inclined-plates": // plates one cell thick at 45 degrees (x + z = const every 6 cells), a staircase no face crosses;
                                    // the bands the floor and the x = 0 wall close are closed pockets (singular blocks)
            case "inclined-windows": // the same with a 3x3 window every 10 cells along y in each plate that reaches z % 10 < 3
                Array.Fill(cells, CellType.Fluid);
                for (int z = 0; z < n - 2; z++)
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                            if ((x + z) % 6 == 0 && !(shape == "inclined-windows" && y % 10 < 3 && z % 10 < 3)) cells[At(x, y, z)] = CellType.Solid;
                AirTop();
                break;
            case "gyroid-film": // the gyroid's sheet made fluid in solid: a film one to two cells thick, curved through the box
            case "gyroid": // a gyroid sheet one to two cells thick, period 16 cells: two interwoven labyrinths that meet only at the air above
                for (int z = 0; z < n; z++)
                    for (int y = 0; y < n; y++)
                        for (int x = 0; x < n; x++)
                        {
                            double w = 2 * Math.PI / 16, a = w * (x + 0.5), b = w * (y + 0.5), c = w * (z + 0.5);
                            double g = Math.Sin(a) * Math.Cos(b) + Math.Sin(b) * Math.Cos(c) + Math.Sin(c) * Math.Cos(a);
                            bool sheet = Math.Abs(g) < (shape == "gyroid" ? 0.25 : 0.3);
                            cells[At(x, y, z)] = sheet == (shape == "gyroid") ? CellType.Solid : CellType.Fluid;
                        }
                AirTop();
                break;
            case "fibers": // a filter: n^2 / 8 straight solid fibres one cell thick along random axes, each its own random line, in a smoke box
                Array.Fill(cells, CellType.Fluid);
                for (int f = 0; f < n * n / 8; f++)
                {
                    int axis = rng.Next(3), p = rng.Next(n), q = rng.Next(n);
                    for (int t = 0; t < n; t++) cells[axis == 0 ? At(t, p, q) : axis == 1 ? At(p, t, q) : At(p, q, t)] = CellType.Solid;
                }
                AirTop();
                break;
            case "pipe-wall": // a cylinder along z whose wall is one voxel thick (face-tight), liquid inside and out, one hole of one cell near the bottom
            {
                Array.Fill(cells, CellType.Fluid);
                double c0 = (n - 1) / 2.0, radius = 0.35 * n;
                for (int y = 0; y < n; y++)
                    for (int x = 0; x < n; x++)
                    {
                        bool Inside(int u, int v) => (u - c0) * (u - c0) + (v - c0) * (v - c0) < radius * radius;
                        // a wall cell: inside, with a face neighbour outside: one voxel thick, and no face joins inside to outside
                        if (!Inside(x, y) || Inside(x - 1, y) && Inside(x + 1, y) && Inside(x, y - 1) && Inside(x, y + 1)) continue;
                        for (int z = 0; z < n - 2; z++) cells[At(x, y, z)] = CellType.Solid;
                    }
                int hole = n - 1, row = (int)c0; // the wall's outermost cell on the middle row
                while (cells[At(hole, row, 2)] != CellType.Solid) hole--;
                cells[At(hole, row, 2)] = CellType.Fluid;
                AirTop();
                break;
            }
            case "louvres": // rows of slats one cell thick tilted by one cell in three, a gap of three cells between slats, in a duct
                Array.Fill(cells, CellType.Fluid);
                for (int z = 0; z < n - 2; z++)
                    for (int y = 0; y < n; y++)
                        for (int x = n / 3; x < n / 3 + 6 && x < n; x++)
                            if ((z + (x - n / 3) / 3) % 4 == 0) cells[At(x, y, z)] = CellType.Solid;
                AirTop();
                break;
            case "cracks": // a fracture network: n/2 fluid rectangles one cell thick in solid, the vertical ones (along x or y) up to the
                           // surface, the horizontal ones (along z) at random depths, closed pockets where they cross no vertical one
                Array.Fill(cells, CellType.Solid);
                for (int f = 0; f < n / 2; f++)
                {
                    int axis = rng.Next(3), at = rng.Next(n), a0 = rng.Next(n / 2), b0 = rng.Next(n / 2), la = rng.Next(n / 4, n / 2), lb = rng.Next(n / 4, n / 2);
                    if (axis != 2) lb = n - 1 - b0; // down from the air
                    for (int p = a0; p < a0 + la; p++)
                        for (int q = b0; q < b0 + lb; q++) cells[axis == 0 ? At(at, p, q) : axis == 1 ? At(p, at, q) : At(p, q, at)] = CellType.Fluid;
                }
                AirTop();
                break;
            default: throw new ArgumentException($"stress shape '{shape}' is unknown; use one of {string.Join(", ", Shapes)}", nameof(shape));
        }
        return new PoissonGrid(n, n, n, cells);
    }
}
