using System.Numerics;
using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary>
/// Flat cells: the strong axis found from the faces, line relaxation on the cells and on coarse levels against plain
/// solves of each line, aggregates of whole blocks, and the cycle's iterations where point relaxation needed many.
/// </summary>
public class LineRelaxationTests
{
    /// <summary>A flat-cells tank whose faces along <paramref name="axis"/> are aspect^2 the others (the family's z turned to the axis).</summary>
    internal static VoxelOperator Flat(int nx, int ny, int nz, double aspect, int axis, int seed)
    {
        var op = CoefficientDomains.FlatCells(nx, ny, nz, aspect, seed);
        if (axis == 2) return op;
        // swap the strong faces onto the axis: the cells stay where they are, only the coefficients move
        double along = aspect * aspect;
        double[] Scaled(double[] faces, double by) => [.. faces.Select(c => c * by)];
        var (fx, fy, fz) = axis == 0 ? (Scaled(op.FaceX, along), op.FaceY, Scaled(op.FaceZ, 1 / along)) : (op.FaceX, Scaled(op.FaceY, along), Scaled(op.FaceZ, 1 / along));
        return new VoxelOperator(nx, ny, nz, fx, fy, fz, [.. op.Dirichlet.Select(d => d / along)]);
    }

    static IEnumerable<TestCaseData> Axes() =>
        from axis in new[] { 0, 1, 2 }
        from single in new[] { true, false }
        select new TestCaseData(axis, single).SetArgDisplayNames("xyz"[axis].ToString(), single ? "float" : "double");

    [TestCase(2.0, 2)]
    [TestCase(10.0, 2)]
    [TestCase(1.9, -1)]
    [TestCase(1.0, -1)]
    public void TheStrongAxisIsTheOneWhoseCellsFacesAreFourTimesTheOthers(double aspect, int want)
    {
        Assert.That(LineAxis.Of(CoefficientDomains.FlatCells(12, 10, 9, aspect, 1)), Is.EqualTo(want));
        if (want >= 0)
        {
            Assert.That(LineAxis.Of(Flat(12, 10, 9, aspect, 0, 1)), Is.EqualTo(0));
            Assert.That(LineAxis.Of(Flat(12, 10, 9, aspect, 1, 1)), Is.EqualTo(1));
        }
    }

    /// <summary>
    /// A grid of rocks whose layers are refined towards the floor (the first 1/aspect high, each next one growth times
    /// higher, up to cubic): a finite-volume operator (x and y faces the layer's height, z faces one over the distance
    /// between centres, air faces the same as Dirichlet terms).
    /// </summary>
    static VoxelOperator Graded(int n, double aspect, double growth)
    {
        var grid = PoissonDomains.NoiseCarved(n, n, n, 0.15, 3);
        var cells = grid.Cells.ToArray();
        int plane = n * n;
        var hz = Enumerable.Range(0, n).Select(k => Math.Min(1, Math.Pow(growth, k) / aspect)).ToArray();
        double[] fx = new double[cells.Length], fy = new double[cells.Length], fz = new double[cells.Length], d = new double[cells.Length];
        for (int i = 0; i < cells.Length; i++)
        {
            if (cells[i] != CellType.Fluid) continue;
            int x = i % n, y = i / n % n, z = i / plane;
            double across = hz[z], up = 2 / (hz[z] + (z + 1 < n ? hz[z + 1] : hz[z])), down = 2 / (hz[z] + (z > 0 ? hz[z - 1] : hz[z]));
            void Face(bool inside, int j, double[]? face, double c)
            {
                if (!inside) return;
                if (cells[j] == CellType.Fluid) { if (face is not null) face[i] = c; }
                else if (cells[j] == CellType.Air) d[i] += c;
            }
            Face(x + 1 < n, i + 1, fx, across); Face(x > 0, i - 1, null, across);
            Face(y + 1 < n, i + n, fy, across); Face(y > 0, i - n, null, across);
            Face(z + 1 < n, i + plane, fz, up); Face(z > 0, i - plane, null, down);
        }
        return new VoxelOperator(n, n, n, fx, fy, fz, d);
    }

    /// <summary>Layers refined towards a wall (a few flat layers among cubic ones): lines along z, and pcg-mg takes a few
    /// iterations where points took 15 or more (measured at 64^3: 15-18 by points, 6-7 by lines; at 32^3 here 6 by lines,
    /// and by points 9 since the first level judges a voxel operator's faces at <see cref="Aggregation.StrongFace"/>, 10 or
    /// more before).</summary>
    [Test]
    public void LayersRefinedTowardsAWallAreRelaxedByLines()
    {
        var op = Graded(32, 10, 1.3);
        Assert.That(LineAxis.Of(op), Is.EqualTo(2));
        var rng = new Random(2);
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        int Iterations()
        {
            using var solver = new SolverCatalog().CreateForOperator(SolveMethod.PcgMg, op, new SolverOptions { Tolerance = 1e-6, MaxIterations = 100 });
            var result = solver.Solve(b, new double[b.Length]);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            return result.Iterations;
        }
        int lines = Iterations();
        double share = LineAxis.Share;
        LineAxis.Share = 2; // never: points
        try { Assert.That(lines, Is.LessThanOrEqualTo(7).And.LessThan(Iterations() - 2), "lines against points"); }
        finally { LineAxis.Share = share; }
    }

    [Test]
    public void TheOtherFamiliesHaveNoStrongAxis()
    {
        foreach (var family in CoefficientDomains.Families.Where(f => f is not ("flat-cells" or "graded-channel")))
            foreach (int n in new[] { 16, 40 })
                Assert.That(LineAxis.Of(CoefficientDomains.Named(family, n, n, n, 2)), Is.EqualTo(-1), $"{family} at {n}^3");
        Assert.That(LineAxis.Of(CoefficientDomains.TwoPhase(16, 16, 16, 1e6, 3)), Is.EqualTo(-1), "two-phase 1e6");
    }

    /// <summary>After one colour's lines are relaxed, each of its unknowns' equations holds (its line solved, its
    /// neighbours across held), and the other colour's cells are as they were: in float and double, along each axis, on
    /// a grid wide enough for the vectors, with solid blocks breaking lines and air above.</summary>
    [TestCaseSource(nameof(Axes))]
    public void EachColourSolvesItsLinesExactly(int axis, bool single)
    {
        var op = Flat(37, 11, 13, 3, axis, 2);
        if (single) SolvesLines<float>(op, axis); else SolvesLines<double>(op, axis);
    }

    /// <summary>
    /// Lines along x, solved four at a time, against a plain loop that takes one line at a time (s_k from b and the
    /// faces across, then the Thomas passes with the factor made the same way): bit for bit, on rows holding two groups
    /// of four lines of a colour and three or four more, lines broken by solids, in float and double.
    /// </summary>
    [TestCase(true)]
    [TestCase(false)]
    public void LinesAlongXFourAtATimeAreOneAtATime(bool single)
    {
        var op = Flat(37, 23, 9, 3, 0, 4);
        var box = CellBox.Around(CellLevel.DiagonalOf(op), op.Nx, op.Ny, op.Nz);
        Assert.That((box.X0, box.X1, box.Y0, box.Y1), Is.EqualTo((0, op.Nx - 1, 0, op.Ny - 1)), "the whole grid's lines");
        if (single) OneLineAtATime<float>(op); else OneLineAtATime<double>(op);
    }

    /// <summary>
    /// The same on rows whose lines of a colour leave each count after the groups of four: a box at odd x and y (the
    /// first column and row closed off, so lines start at x = 1 and rows at y = 1) of 11 rows of lines (6 and 5 of a
    /// colour: two and one left over), and a grid whole in x and y of 14 (7 of each colour: three left over, the last
    /// the grid's last line, where a fourth would run into the next row's cells of the other colour).
    /// </summary>
    [TestCase(12, true, true)]
    [TestCase(12, true, false)]
    [TestCase(14, false, true)]
    [TestCase(14, false, false)]
    public void LinesAlongXWithOneTwoOrThreeLeftOverAreOneAtATime(int ny, bool oddBox, bool single)
    {
        var flat = Flat(38, ny, 11, 3, 0, 5);
        var op = oddBox ? ClosedAtXAndYZero(flat) : flat;
        var box = CellBox.Around(CellLevel.DiagonalOf(op), op.Nx, op.Ny, op.Nz);
        int lo = oddBox ? 1 : 0;
        Assert.That((box.X0, box.X1, box.Y0, box.Y1), Is.EqualTo((lo, op.Nx - 1, lo, ny - 1)), "the box");
        if (single) OneLineAtATime<float>(op); else OneLineAtATime<double>(op);
    }

    /// <summary>The factor's running values per line come from ArrayPool.Shared (which the aggregation also returns its
    /// rows to): an array left full of NaN by its last user gives the same lines as a clean one.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void LinesAlongXTakeNothingFromWhatAPooledArrayHeld(bool single)
    {
        var op = Flat(37, 23, 9, 3, 0, 4);
        if (single) OneLineAtATime<float>(op, dirtyPool: true); else OneLineAtATime<double>(op, dirtyPool: true);
    }

    /// <summary>The same along each axis (the factor's loop is the same for every axis), by each line's equations.</summary>
    [TestCaseSource(nameof(Axes))]
    public void EachColourSolvesItsLinesAfterAPooledArrayWasLeftFullOfNaN(int axis, bool single)
    {
        var op = Flat(37, 11, 13, 3, axis, 2);
        if (single) SolvesLines<float>(op, axis, dirtyPool: true); else SolvesLines<double>(op, axis, dirtyPool: true);
    }

    /// <summary>Rents what the factor of a row of <paramref name="lines"/> lines rents from ArrayPool.Shared, fills it
    /// with NaN and returns it: the next rent of that size on this thread takes it (the factor runs on the calling
    /// thread below 2^14 cells).</summary>
    static void LeavePooledArrayFullOfNaN(int lines)
    {
        var used = System.Buffers.ArrayPool<double>.Shared.Rent(2 * lines);
        Array.Fill(used, double.NaN);
        System.Buffers.ArrayPool<double>.Shared.Return(used);
    }

    /// <summary>The operator with every cell at x = 0 or y = 0 closed off (no unknown, no face into it).</summary>
    static VoxelOperator ClosedAtXAndYZero(VoxelOperator flat)
    {
        int nx = flat.Nx, ny = flat.Ny;
        bool Closed(int i) => i % nx == 0 || i / nx % ny == 0;
        double[] Cut(double[] faces, int stride) => [.. faces.Select((c, i) => Closed(i) || i + stride < faces.Length && Closed(i + stride) ? 0 : c)];
        return new VoxelOperator(nx, ny, flat.Nz, Cut(flat.FaceX, 1), Cut(flat.FaceY, nx), Cut(flat.FaceZ, nx * ny),
            [.. flat.Dirichlet.Select((d, i) => Closed(i) ? 0 : d)]);
    }

    static void OneLineAtATime<T>(VoxelOperator op, bool dirtyPool = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, plane = nx * ny;
        var diagonal = CellLevel.DiagonalOf(op);
        var cells = new CellLevel<T>(op, diagonal);
        var box = cells.Box;
        Assert.That(box.Cells, Is.LessThan(1 << 14), "the factor on the calling thread");
        if (dirtyPool) LeavePooledArrayFullOfNaN(box.Y1 - box.Y0 + 1);
        var lines = new CellLines<T>(cells, 0);
        T F(double c) => T.CreateTruncating(c);
        for (int colour = 0; colour < 2; colour++)
        {
            var rng = new Random(10 + colour);
            T[] b = new T[op.CellCount], x = new T[op.CellCount];
            for (int i = 0; i < b.Length; i++)
                if (diagonal[i] > 0) (b[i], x[i]) = (F(rng.NextDouble() - 0.5), F(rng.NextDouble() - 0.5));
            var want = (T[])x.Clone();
            int broken = 0;
            for (int z = box.Z0; z <= box.Z1; z++)
                for (int y = 0; y < ny; y++)
                {
                    if ((y + z & 1) != colour) continue;
                    int first = nx * (y + ny * z);
                    var s = new T[nx];
                    var inverse = new T[nx];
                    var next = new T[nx];
                    double lastFace = 0, lastNext = 0;
                    for (int k = 0; k < nx; k++)
                    {
                        int i = first + k;
                        T v = b[i];
                        if (y > 0) v += F(op.FaceY[i - nx]) * x[i - nx];
                        if (y < ny - 1) v += F(op.FaceY[i]) * x[i + nx];
                        if (z > 0) v += F(op.FaceZ[i - plane]) * x[i - plane];
                        if (z < nz - 1) v += F(op.FaceZ[i]) * x[i + plane];
                        s[k] = v;
                        if (!(diagonal[i] > 0)) { (lastFace, lastNext) = (0, 0); broken++; continue; }
                        double pivot = diagonal[i] - lastFace * lastNext, face = k < nx - 1 ? op.FaceX[i] : 0;
                        inverse[k] = F(1 / pivot);
                        lastNext = face / pivot;
                        next[k] = F(lastNext);
                        lastFace = face;
                    }
                    want[first] = s[0] * inverse[0];
                    for (int k = 1; k < nx; k++) want[first + k] = (s[k] + F(op.FaceX[first + k - 1]) * want[first + k - 1]) * inverse[k];
                    for (int k = nx - 2; k >= 0; k--) want[first + k] += next[k] * want[first + k + 1];
                }
            Assert.That(broken, Is.GreaterThan(0), "some line broken by a cell without an unknown");
            lines.Colour(b, x, colour);
            Assert.That(x, Is.EqualTo(want), $"colour {colour}");
        }
    }

    /// <summary>The same where the unknowns' box starts at odd x and y (the first columns closed off): the colours follow
    /// the grid's coordinates, not the box's.</summary>
    [TestCase(true)]
    [TestCase(false)]
    public void EachColourSolvesItsLinesInABoxAtOddCoordinates(bool single)
    {
        var flat = Flat(38, 12, 13, 3, 2, 2);
        int nx = flat.Nx, ny = flat.Ny;
        bool Closed(int i) => i % nx == 0 || i / nx % ny == 0; // x = 0 or y = 0: no unknown
        double[] Cut(double[] faces, int stride) => [.. faces.Select((c, i) => Closed(i) || i + stride < faces.Length && Closed(i + stride) ? 0 : c)];
        var op = new VoxelOperator(nx, ny, flat.Nz, Cut(flat.FaceX, 1), Cut(flat.FaceY, nx), Cut(flat.FaceZ, nx * ny),
            [.. flat.Dirichlet.Select((d, i) => Closed(i) ? 0 : d)]);
        var box = CellBox.Around(CellLevel.DiagonalOf(op), nx, ny, op.Nz);
        Assert.That((box.X0, box.Y0), Is.EqualTo((1, 1)));
        if (single) SolvesLines<float>(op, 2); else SolvesLines<double>(op, 2);
    }

    /// <summary>What a coupling across the lines is judged against, both overloads, against sums by hand: the diagonal
    /// (faces and Dirichlet term), at most 1 + 4 / 2 = 3 times the four faces across (not the Dirichlet term, not the
    /// faces along); a level row's couplings but those to the blocks before and after it along the axis, on a level one
    /// block long along it (where the next block in the index is across).</summary>
    [Test]
    public void CouplingsAcrossTheLinesAreJudgedAgainstTheDiagonalUpToAFlatCells()
    {
        // 1 x 4 x 4 cells, every face 1 but z faces 10, a Dirichlet term on the top layer
        int n = 4, cells = n * n;
        double[] fx = new double[cells], fy = new double[cells], fz = new double[cells], d = new double[cells];
        for (int i = 0; i < cells; i++)
        {
            int y = i % n, z = i / n;
            if (y + 1 < n) fy[i] = 1;
            if (z + 1 < n) fz[i] = 10; else d[i] = 5;
        }
        var op = new VoxelOperator(1, n, n, fx, fy, fz, d);
        var diagonal = CellLevel.DiagonalOf(op);
        Assert.That(LineAxis.FlatDiagonal, Is.EqualTo(3));
        var alongZ = LineAxis.DiagonalUpToFlat(op, diagonal, 2);
        var alongY = LineAxis.DiagonalUpToFlat(op, diagonal, 1);
        for (int i = 0; i < cells; i++)
        {
            int y = i % n, z = i / n;
            double faceY = (y > 0 ? 1 : 0) + (y + 1 < n ? 1 : 0), faceZ = (z > 0 ? 10 : 0) + (z + 1 < n ? 10 : 0);
            Assert.That(diagonal[i], Is.EqualTo(faceY + faceZ + d[i]), $"cell {i}'s diagonal");
            Assert.That(alongZ[i], Is.EqualTo(3 * faceY), $"cell {i}, lines along z: capped, the faces along 5-10x those across");
            Assert.That(alongY[i], Is.EqualTo(Math.Min(diagonal[i], 3 * faceZ)), $"cell {i}, lines along y");
        }
        Assert.That(Enumerable.Range(0, cells).Count(i => alongY[i] == diagonal[i]), Is.GreaterThan(0), "some cell keeps its diagonal");
        // the cells as a level: blocks are cells, the grid one block long along x; lines along x: every coupling is across
        var level = Aggregation.FromOperator(op, diagonal, out var cellRow);
        var alongX = LineAxis.DiagonalUpToFlat(level, 0);
        var alongLevelZ = LineAxis.DiagonalUpToFlat(level, 2);
        for (int i = 0; i < cells; i++)
        {
            int y = i % n, z = i / n, row = cellRow[i];
            double faceY = (y > 0 ? 1 : 0) + (y + 1 < n ? 1 : 0), faceZ = (z > 0 ? 10 : 0) + (z + 1 < n ? 10 : 0);
            Assert.That(alongX[row], Is.EqualTo(diagonal[i]), $"cell {i}, level, lines along x: every coupling across, the diagonal below 3x them");
            Assert.That(alongLevelZ[row], Is.EqualTo(3 * faceY), $"cell {i}, level, lines along z");
        }
    }

    static void SolvesLines<T>(VoxelOperator op, int axis, bool dirtyPool = false) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var a = op.ToCsr();
        var cells = new CellLevel<T>(op, CellLevel.DiagonalOf(op));
        if (dirtyPool)
        {
            var box = cells.Box;
            Assert.That(box.Cells, Is.LessThan(1 << 14), "the factor on the calling thread");
            LeavePooledArrayFullOfNaN(axis == 0 ? box.Y1 - box.Y0 + 1 : box.X1 - box.X0 + 1);
        }
        var lines = new CellLines<T>(cells, axis);
        int nx = op.Nx, ny = op.Ny;
        double reach = typeof(T) == typeof(float) ? 1e-5 : 1e-12;
        for (int colour = 0; colour < 2; colour++)
        {
            var rng = new Random(colour);
            T[] b = new T[op.CellCount], x = new T[op.CellCount];
            for (int i = 0; i < b.Length; i++)
                if (op.Diagonal(i) > 0) (b[i], x[i]) = (T.CreateTruncating(rng.NextDouble() - 0.5), T.CreateTruncating(rng.NextDouble() - 0.5));
            var before = (T[])x.Clone();
            lines.Colour(b, x, colour);
            for (int i = 0; i < a.Rows; i++)
            {
                int[] c = [i % nx, i / nx % ny, i / (nx * ny)];
                int lineColour = axis switch { 0 => c[1] + c[2], 1 => c[0] + c[2], _ => c[0] + c[1] } & 1;
                if (lineColour != colour || !(op.Diagonal(i) > 0))
                {
                    Assert.That(x[i], Is.EqualTo(before[i]), $"cell {i}, not of colour {colour}, changed");
                    continue;
                }
                double r = double.CreateTruncating(b[i]), size = Math.Abs(r);
                for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                {
                    double term = a.Values[k] * double.CreateTruncating(x[a.ColumnIndices[k]]);
                    (r, size) = (r - term, size + Math.Abs(term));
                }
                // NUnit orders NaN below every number (double.CompareTo), so the bound alone would pass a NaN
                Assert.That(double.IsFinite(r), Is.True, $"cell {i}'s equation after its line's solve, colour {colour}: {r}");
                Assert.That(Math.Abs(r), Is.LessThanOrEqualTo(reach * 40 * size), $"cell {i}'s equation after its line's solve, colour {colour}");
            }
        }
    }

    /// <summary>
    /// A coarse level's line sweep against a plain one: the level's blocks along the axis in lines, each colour's lines
    /// in turn, along each line its rows linked into chains (neighbouring one-row blocks always; where a block has several
    /// rows, the most strongly coupled pairs of the two blocks first, each row linked at most once each way), each chain
    /// solved densely for its rows (the rest held), in the order of their first rows forward and from the end backward.
    /// Plates split blocks into pieces (porous), and so does a density jump of 1000 across flat cells (two-phase).
    /// </summary>
    [TestCase(2, "flat")]
    [TestCase(0, "flat")]
    [TestCase(2, "porous")]
    [TestCase(2, "two-phase")]
    public void ACoarseLevelsLinesAreThePlainLineSweep(int axis, string kind)
    {
        var op = kind switch
        {
            "porous" => CoefficientMultigridTests.PorousPlates(20, 18, 22, 0.3),
            "two-phase" => FlatTwoPhase(20, 18, 22, 1000, 16),
            _ => Flat(20, 18, 22, 5, axis, 3),
        };
        var diagonal = CellLevel.DiagonalOf(op);
        var level = Aggregation.FromFaces(op, diagonal, diagonal.Count(d => d > 0), 0.5, out _, lineAxis: kind == "porous" ? -1 : axis)!;
        var dense = level.Dense();
        if (kind != "flat")
        {
            Assert.That(level.BlockRows.Any(r => r > 1), Is.True, "pieces in some blocks where plates or the jump split them");
            var chains = PlainSegments(level, dense, axis).Where(c => c.Count > 1).SelectMany(c => c).ToHashSet();
            Assert.That(Enumerable.Range(0, level.BlockRows.Length).Any(b => level.BlockRows[b] > 1
                && Enumerable.Range(level.BlockFirstRow[b], level.BlockRows[b]).Any(chains.Contains)), Is.True, "a chain through a split block");
        }
        var lines = new LevelLines(level, axis);
        var rng = new Random(5);
        var b = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var want = (double[])x.Clone();
        lines.SweepForward(b, x);
        PlainSweep(level, dense, axis, b, want, forward: true);
        Assert.That(x, Is.EqualTo(want).Within(1e-12 * want.Max(Math.Abs)), "forward");
        lines.SweepBackward(b, x);
        PlainSweep(level, dense, axis, b, want, forward: false);
        Assert.That(x, Is.EqualTo(want).Within(1e-12 * want.Max(Math.Abs)), "backward");
    }

    /// <summary>
    /// Each position's couplings across (its row's, in the level's order, but the first to the row before and the first
    /// to the row after it in its chain) against a plain pass over the level's rows, and its chain's couplings against
    /// the factor's lower coupling: on the cells of 40 x 40 x 20 as a level, whose lines along z hold thousands of chains, so that the
    /// set-up copies them in several parallel chunks, and on a level whose blocks a density jump splits.
    /// </summary>
    [TestCase("cells")]
    [TestCase("two-phase")]
    public void ACoarseLevelsCouplingsAcrossAreItsRowsButItsChainsInPositionOrder(string kind)
    {
        AggregateLevel level;
        if (kind == "cells")
        {
            var op = Flat(40, 40, 20, 3, 2, 5);
            level = Aggregation.FromOperator(op, CellLevel.DiagonalOf(op), out _);
        }
        else
        {
            var op = FlatTwoPhase(20, 18, 22, 1000, 16);
            var diagonal = CellLevel.DiagonalOf(op);
            level = Aggregation.FromFaces(op, diagonal, diagonal.Count(d => d > 0), 0.5, out _, lineAxis: 2)!;
            Assert.That(level.BlockRows.Any(r => r > 1), Is.True, "pieces in some blocks");
        }
        var lines = new LevelLines(level, 2);
        int n = level.Rows, segments = lines.Segments.Length - 1;
        if (kind == "cells") Assert.That(segments, Is.GreaterThanOrEqualTo(2 * 256), "chains enough for several chunks");
        Assert.That(lines.Order.Order(), Is.EqualTo(Enumerable.Range(0, n)), "every row at one position");
        var segmentOf = new int[n];
        for (int s = 0; s < segments; s++)
            for (int k = lines.Segments[s]; k < lines.Segments[s + 1]; k++) segmentOf[k] = s;
        var (start, columns, values) = (new List<int> { 0 }, new List<int>(), new List<double>());
        int chained = 0;
        for (int k = 0; k < n; k++)
        {
            int row = lines.Order[k];
            int before = k > 0 && segmentOf[k - 1] == segmentOf[k] ? lines.Order[k - 1] : -1;
            int after = k + 1 < n && segmentOf[k + 1] == segmentOf[k] ? lines.Order[k + 1] : -1;
            double lower = 0;
            bool tookBefore = false, tookAfter = false;
            for (int e = level.RowStart[row]; e < level.RowStart[row + 1]; e++)
            {
                int c = level.Columns[e];
                if (c == before && !tookBefore) { (tookBefore, lower) = (true, level.Values[e]); continue; }
                if (c == after && !tookAfter) { tookAfter = true; continue; }
                columns.Add(c);
                values.Add(level.Values[e]);
            }
            if (tookBefore) chained++;
            start.Add(columns.Count);
            Assert.That(lines.Lower[k], Is.EqualTo(lower), $"position {k} (row {row}): its coupling to the row before in its chain");
        }
        Assert.That(chained, Is.GreaterThan(n / 2), "most rows chained to the one before");
        Assert.That(lines.AcrossStart, Is.EqualTo(start), "each position's first coupling across");
        Assert.That(lines.AcrossColumns, Is.EqualTo(columns), "the couplings' rows, position after position");
        Assert.That(lines.AcrossValues, Is.EqualTo(values), "their values");
    }

    /// <summary>A coarse level's lines made again in a re-bind take the last binding's arrays as they were (every entry
    /// written, none cleared): left full of garbage, they give the lines a fresh set-up makes, bit for bit, and the same
    /// sweeps.</summary>
    [Test]
    public void ACoarseLevelsLinesOnAReBindsDirtyArraysAreFreshOnes()
    {
        var op = FlatTwoPhase(20, 18, 22, 1000, 16);
        var diagonal = CellLevel.DiagonalOf(op);
        var level = Aggregation.FromFaces(op, diagonal, diagonal.Count(d => d > 0), 0.5, out _, lineAxis: 2)!;
        var fresh = new LevelLines(level, 2);
        var cache = new RebindCache();
        using (cache.Begin())
        {
            var last = new LevelLines(level, 2);
            foreach (var a in new[] { last.Order, last.Segments, last.AcrossStart, last.AcrossColumns }) Array.Fill(a, -7);
            foreach (var a in new[] { last.Lower, last.Inverse, last.Upper, last.AcrossValues }) Array.Fill(a, double.NaN);
        }
        LevelLines again;
        using (cache.Begin()) again = new LevelLines(level, 2);
        Assert.That(cache.Reused, Is.EqualTo(8), "every array of the last binding taken again");
        Assert.That(again.Order, Is.EqualTo(fresh.Order), "order");
        Assert.That(again.Segments, Is.EqualTo(fresh.Segments), "segments");
        Assert.That(again.AcrossStart, Is.EqualTo(fresh.AcrossStart), "each position's first coupling across");
        Assert.That(again.AcrossColumns, Is.EqualTo(fresh.AcrossColumns), "the couplings across");
        Assert.That(again.AcrossValues, Is.EqualTo(fresh.AcrossValues), "their values");
        Assert.That((again.Lower, again.Inverse, again.Upper), Is.EqualTo((fresh.Lower, fresh.Inverse, fresh.Upper)), "the factor");
        var rng = new Random(6);
        var b = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var x = Enumerable.Range(0, level.Rows).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var want = (double[])x.Clone();
        again.SweepForward(b, x);
        again.SweepBackward(b, x);
        fresh.SweepForward(b, want);
        fresh.SweepBackward(b, want);
        Assert.That(x, Is.EqualTo(want), "a forward and a backward sweep");
    }

    /// <summary>Two-phase's liquid and air with every z face and Dirichlet term <paramref name="zScale"/> times (cells
    /// 1 / sqrt(zScale) as high).</summary>
    internal static VoxelOperator FlatTwoPhase(int nx, int ny, int nz, double ratio, double zScale)
    {
        var o = CoefficientDomains.TwoPhase(nx, ny, nz, ratio, 7);
        return new VoxelOperator(nx, ny, nz, o.FaceX, o.FaceY, [.. o.FaceZ.Select(c => c * zScale)], [.. o.Dirichlet.Select(d => d * zScale)]);
    }

    static void PlainSweep(AggregateLevel level, double[,] a, int axis, double[] b, double[] x, bool forward)
    {
        foreach (int colour in forward ? new[] { 0, 1 } : [1, 0])
            foreach (var (line, segments) in PlainLines(level, a, axis))
            {
                if (line != colour) continue;
                if (!forward) segments.Reverse();
                foreach (var segment in segments) SolveDensely(a, b, x, segment);
            }
    }

    static IEnumerable<List<int>> PlainSegments(AggregateLevel level, double[,] a, int axis) => PlainLines(level, a, axis).SelectMany(l => l.Segments);

    /// <summary>Each line's colour and its chains, line by line.</summary>
    static IEnumerable<(int Colour, List<List<int>> Segments)> PlainLines(AggregateLevel level, double[,] a, int axis)
    {
        var (bx, by, bz) = level.Blocks;
        int[] extent = [bx, by, bz];
        int p = axis == 0 ? 1 : 0, q = axis == 2 ? 1 : 2;
        for (int vq = 0; vq < extent[q]; vq++)
            for (int vp = 0; vp < extent[p]; vp++)
            {
                var rows = new List<int[]>(); // per position along the line, its block's rows
                for (int k = 0; k < extent[axis]; k++)
                {
                    int[] c = new int[3];
                    (c[axis], c[p], c[q]) = (k, vp, vq);
                    int block = c[0] + bx * (c[1] + by * c[2]);
                    rows.Add([.. Enumerable.Range(level.BlockFirstRow[block], level.BlockRows[block])]);
                }
                var next = new Dictionary<int, int>();
                var linked = new HashSet<int>();
                for (int k = 0; k + 1 < rows.Count; k++)
                {
                    var pairs = from i in rows[k] from j in rows[k + 1] where a[i, j] != 0 || (rows[k].Length == 1 && rows[k + 1].Length == 1)
                                orderby -Math.Abs(a[i, j]), i, j select (i, j);
                    foreach (var (i, j) in pairs)
                        if (!next.ContainsKey(i) && !linked.Contains(j)) { next[i] = j; linked.Add(j); }
                }
                var segments = new List<List<int>>();
                foreach (int start in rows.SelectMany(r => r).Where(r => !linked.Contains(r)))
                {
                    var chain = new List<int>();
                    for (int i = start; ; i = next[i])
                    {
                        chain.Add(i);
                        if (!next.ContainsKey(i)) break;
                    }
                    segments.Add(chain);
                }
                yield return ((vp + vq) & 1, segments);
            }
    }

    /// <summary>x on the rows given: the solution of their own block of A, the other rows held.</summary>
    static void SolveDensely(double[,] a, double[] b, double[] x, List<int> rows)
    {
        int m = rows.Count, n = b.Length;
        var block = new double[m, m + 1];
        for (int r = 0; r < m; r++)
        {
            double s = b[rows[r]];
            for (int j = 0; j < n; j++) if (!rows.Contains(j)) s -= a[rows[r], j] * x[j];
            for (int c = 0; c < m; c++) block[r, c] = a[rows[r], rows[c]];
            block[r, m] = s;
        }
        for (int c = 0; c < m; c++) // Gaussian elimination: the block is symmetric positive definite, no pivoting
            for (int r = c + 1; r < m; r++)
            {
                double f = block[r, c] / block[c, c];
                for (int k = c; k <= m; k++) block[r, k] -= f * block[c, k];
            }
        for (int r = m - 1; r >= 0; r--)
        {
            double s = block[r, m];
            for (int c = r + 1; c < m; c++) s -= block[r, c] * x[rows[c]];
            x[rows[r]] = s / block[r, r];
        }
    }

    /// <summary>Each row's block coordinate along the axis and the index of its other two: the cells of a 3 x 4 x 5 grid as a
    /// level (a block a cell), so two rows are next to each other along the axis exactly where their cells are.</summary>
    [TestCase(0)]
    [TestCase(1)]
    [TestCase(2)]
    public void BlockCoordinatesTellRowsNextToEachOtherAlongTheAxis(int axis)
    {
        int nx = 3, ny = 4, nz = 5, cells = nx * ny * nz;
        double[] Faces(int extent, Func<int, int> at) => [.. Enumerable.Range(0, cells).Select(i => at(i) + 1 < extent ? 1.0 : 0)]; // open inside the grid
        var op = new VoxelOperator(nx, ny, nz, Faces(nx, i => i % nx), Faces(ny, i => i / nx % ny), Faces(nz, i => i / (nx * ny)), new double[cells]);
        var level = Aggregation.FromOperator(op, CellLevel.DiagonalOf(op), out var cellRow);
        var (along, others) = LineAxis.BlockCoordinates(level, axis);
        int[] C(int i) => [i % nx, i / nx % ny, i / (nx * ny)];
        for (int i = 0; i < cells; i++)
            for (int j = 0; j < cells; j++)
            {
                int[] a = C(i), b = C(j);
                bool want = Enumerable.Range(0, 3).All(d => d == axis || a[d] == b[d]) && Math.Abs(a[axis] - b[axis]) == 1;
                int ri = cellRow[i], rj = cellRow[j];
                bool got = others[ri] == others[rj] && Math.Abs(along[ri] - along[rj]) == 1;
                Assert.That(got, Is.EqualTo(want), $"cells {i} and {j} along {"xyz"[axis]}");
            }
    }

    /// <summary>
    /// A 2x2x2 block of flat cells (z faces 16x), liquid below and air above: judged against the couplings across the
    /// lines, a face along them between the phases would join them; it is judged against the diagonals, as without lines,
    /// so a density jump along the lines splits the block as a wall does (from the faces and from the cells' level alike).
    /// </summary>
    [TestCase(1, 1)]
    [TestCase(1000, 2)]
    public void ADensityJumpAlongTheLinesStillSplitsABlock(double ratio, int aggregates)
    {
        int n = 8;
        var rho = Enumerable.Range(0, n).Select(i => i / 4 == 0 ? ratio : 1).ToArray(); // z = 0 liquid, z = 1 air
        double[] fx = new double[n], fy = new double[n], fz = new double[n], d = new double[n];
        for (int i = 0; i < n; i++)
        {
            int x = i % 2, y = i / 2 % 2, z = i / 4;
            if (x == 0) fx[i] = 2 / (rho[i] + rho[i + 1]);
            if (y == 0) fy[i] = 2 / (rho[i] + rho[i + 2]);
            if (z == 0) fz[i] = 16 * 2 / (rho[i] + rho[i + 4]);
            else d[i] = 16 / rho[i]; // open top
        }
        var op = new VoxelOperator(2, 2, 2, fx, fy, fz, d);
        var diagonal = CellLevel.DiagonalOf(op);
        var cells = Aggregation.FromOperator(op, diagonal, out _);
        var fromFaces = Aggregation.FromFaces(op, diagonal, n, 0.5, out _, lineAxis: 2);
        var fromCells = Aggregation.Coarsen(cells, 0.5, out _, splitBottlenecks: false, lineAxis: 2);
        Assert.That(fromFaces?.Rows ?? n, Is.EqualTo(aggregates), "from the faces");
        Assert.That(fromCells?.Rows ?? n, Is.EqualTo(aggregates), "from the cells' level");
    }

    /// <summary>Judged across the lines, a flat cells' block is one aggregate: the first level is about an eighth of the
    /// unknowns, where the plain strength test pairs cells along the axis (a quarter to a half).</summary>
    [Test]
    public void FlatCellsAggregateWholeBlocksAcrossTheLines()
    {
        var op = CoefficientDomains.FlatCells(24, 24, 24, 10, 4);
        var diagonal = CellLevel.DiagonalOf(op);
        int unknowns = diagonal.Count(d => d > 0);
        var pairs = Aggregation.FromFaces(op, diagonal, unknowns, 0.5, out _)!;
        var blocks = Aggregation.FromFaces(op, diagonal, unknowns, 0.5, out _, lineAxis: 2)!;
        Assert.That(pairs.Rows, Is.GreaterThan(unknowns / 4), "the plain test");
        Assert.That(blocks.Rows, Is.LessThan(unknowns / 6), $"across the lines: {blocks.Rows}; the plain test: {pairs.Rows} of {unknowns}");
        var next = Aggregation.Coarsen(blocks, 0.5, out _, splitBottlenecks: false, lineAxis: 2)!;
        var nextPairs = Aggregation.Coarsen(blocks, 0.5, out _)!;
        Assert.That(next.Rows, Is.LessThan(blocks.Rows / 5), $"the level above, across the lines: {next.Rows} of {blocks.Rows}");
        Assert.That(nextPairs.Rows, Is.GreaterThan(blocks.Rows / 4), "the level above by the plain test");
    }

    /// <summary>The cycle on the faces (the cells by <see cref="CellLines{T}"/> in float, the coarse levels by
    /// <see cref="LevelLines"/>) is the cycle on the cells' CSR rows (every level by LevelLines, in double), on a grid
    /// with coarse levels below the first that lines relax.</summary>
    [Test]
    public void TheCycleOnTheFacesIsTheCycleOnTheCellsRowsWithLinesOnEveryLevel()
    {
        var op = CoefficientDomains.FlatCells(28, 26, 30, 5, 6);
        var unknowns = ReducedSystem.FromOperator(op);
        var faces = new AggregateMultigrid(op, unknowns);
        var rows = new AggregateMultigrid(op, unknowns, AggregateMultigrid.OperatorSweeps, AggregateMultigrid.DefaultGalerkinScale, cellsAsLevel: true);
        Assert.That(faces.CoarseRows, Has.Count.GreaterThanOrEqualTo(3), "levels below the first to relax by lines: " + string.Join(", ", faces.CoarseRows));
        Assert.That(faces.CoarseRows, Is.EqualTo(rows.CoarseRows));
        var rng = new Random(9);
        var r = Enumerable.Range(0, unknowns.Unknowns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        var (want, got) = (new double[r.Length], new double[r.Length]);
        rows.Apply(r, want);
        faces.Apply(r, got);
        Assert.That(got, Is.EqualTo(want).Within(1e-4 * want.Max(Math.Abs)));
    }

    /// <summary>A coarse level relaxes lines where its rows are flat past twice the line test (faces along 8x each face
    /// across): cells with faces 16x along z keep lines on their coarse levels, cells with faces 4x relax their cells by
    /// lines and the coarse levels by points; the cells-as-rows cycle (the device's) relaxes its cells by lines and the
    /// levels above as the faces cycle does, and the two cycles agree.</summary>
    [Test]
    public void CoarseLevelsRelaxLinesWhereTheirRowsAreFlatPastTwiceTheLineTest()
    {
        Assert.That(LineAxis.CoarseContrast, Is.EqualTo(8));
        foreach (var (aspect, coarseLines) in new[] { (4.0, true), (2.0, false) })
        {
            var op = Flat(24, 22, 26, aspect, 2, 3);
            Assert.That(LineAxis.Of(op), Is.EqualTo(2), $"aspect {aspect}: the cells are flat");
            var diagonal = CellLevel.DiagonalOf(op);
            var first = Aggregation.FromFaces(op, diagonal, diagonal.Count(d => d > 0), 0.5, out _, lineAxis: 2)!;
            Assert.That(LineAxis.FlatRows(first, 2), Is.EqualTo(coarseLines), $"aspect {aspect}: the first level's rows");
            var unknowns = ReducedSystem.FromOperator(op);
            var faces = new AggregateMultigrid(op, unknowns);
            var rows = new AggregateMultigrid(op, unknowns, AggregateMultigrid.OperatorSweeps, AggregateMultigrid.DefaultGalerkinScale, cellsAsLevel: true);
            Assert.That(faces.LineAxisRelaxed, Is.EqualTo(2), "the cells by lines");
            Assert.That(faces.LevelsRelaxingLines[0], Is.EqualTo(coarseLines), $"aspect {aspect}: the first coarse level");
            Assert.That(rows.LevelsRelaxingLines[0], Is.True, "the cells as the first level, by lines");
            Assert.That(rows.LevelsRelaxingLines.Skip(1), Is.EqualTo(faces.LevelsRelaxingLines), "the levels above the cells alike");
            var rng = new Random(9);
            var r = Enumerable.Range(0, unknowns.Unknowns).Select(_ => rng.NextDouble() - 0.5).ToArray();
            var (want, got) = (new double[r.Length], new double[r.Length]);
            rows.Apply(r, want);
            faces.Apply(r, got);
            Assert.That(got, Is.EqualTo(want).Within(1e-4 * want.Max(Math.Abs)), $"aspect {aspect}: the cycles");
            int coarse = faces.CoarseRows.Count - 1, byLines = faces.LevelsRelaxingLines.Count(l => l);
            Assert.That(byLines, coarseLines ? Is.EqualTo(coarse) : Is.LessThan(coarse), $"aspect {aspect}");
            Assert.That(faces.Describe(), Does.EndWith($"lines along z relaxed whole on the cells and {byLines} of {coarse} coarse levels"));
            Assert.That(rows.Describe(), Does.EndWith($"lines along z relaxed whole on the cells and {byLines} of {coarse} coarse levels"),
                "the cells as the first level are not counted among the coarse");
        }
    }

    /// <summary>pcg-mg and DCDM on flat cells: a few iterations, flat in the aspect, where the point cycle took 8 or
    /// more; the result names the lines. (That the cycle on the faces is the cycle on the cells' CSR rows, lines on both,
    /// is CoefficientMultigridTests' test over the families.)</summary>
    [TestCase(4.0)]
    [TestCase(10.0)]
    public void FlatCellsTakeAFewIterations(double aspect)
    {
        var op = CoefficientDomains.FlatCells(28, 26, 30, aspect, 5);
        SolvesByLinesAlongZ(op, seed: 7, most: 5);
        var rows = new AggregateMultigrid(op, ReducedSystem.FromOperator(op), 3, 0.5, cellsAsLevel: true); // the cells as CSR rows, lines there too
        Assert.That(rows.LineAxisRelaxed, Is.EqualTo(2));
    }

    /// <summary>pcg-mg and DCDM from zero on a random b: converged (the true residual checked), in at most
    /// <paramref name="most"/> iterations, no fallback, and the result names the lines along z.</summary>
    static void SolvesByLinesAlongZ(VoxelOperator op, int seed, int most)
    {
        var rng = new Random(seed);
        var b = Enumerable.Range(0, op.CellCount).Select(i => op.Diagonal(i) > 0 ? rng.NextDouble() - 0.5 : 0).ToArray();
        var catalog = new SolverCatalog();
        foreach (var method in new[] { SolveMethod.PcgMg, SolveMethod.Dcdm })
        {
            using var solver = catalog.CreateForOperator(method, op, new SolverOptions { Tolerance = 1e-6, MaxIterations = 100 },
                method == SolveMethod.Dcdm ? new Dcdm.Models.KCycleDirectionModel() : null);
            var x = new double[b.Length];
            var result = solver.Solve(b, x);
            Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
            Assert.That(ProductResidual.Relative(op.ToCsr(), b, x, i => op.Diagonal(i) > 0), Is.LessThanOrEqualTo(1.01e-6));
            Assert.That(result.Iterations, Is.LessThanOrEqualTo(most), $"{method}");
            Assert.That(result.Details, Does.Not.ContainKey("fallback"));
            Assert.That(result.Details["levels"], Does.Contain("lines along z"));
        }
    }

    /// <summary>A channel meshed finer towards its floor and ceiling (wall cells 8x and 32x flatter, cubic at mid-height), ribs
    /// on the floor: the strong axis holds near the walls only, yet lines along z everywhere take a few iterations
    /// (measured at 32^3-128^3 with the wall cells 8x flatter: 3 iterations at each size, BoomerAMG 5).</summary>
    [TestCase(8.0)]
    [TestCase(32.0)]
    public void AGradedChannelTakesAFewIterations(double aspect) => SolvesByLinesAlongZ(CoefficientDomains.GradedChannel(30, 20, 28, aspect, 4), seed: 9, most: 6);

    /// <summary>Flat two-phase at a density ratio of 1000: the jump splits the blocks at the surface and around bubbles,
    /// and the coarse levels' lines keep each phase's chain through them (measured at 32^3, z faces 16x: 19 iterations
    /// when a split block's pieces were relaxed one by one, 11 with chains through them; 48^3 12 and 8, 64^3 11 and 9).
    /// Couplings across the lines judged against the diagonal up to a just-flat cell's: z faces 4x (cells 2x flatter),
    /// 16 iterations judged against the couplings across alone, 7 so (points 10); 16x 11 and 12.</summary>
    [TestCase(16.0, 12)]
    [TestCase(4.0, 8)]
    public void FlatTwoPhaseConvergesInAFewIterations(double zScale, int iterations)
    {
        var op = FlatTwoPhase(32, 32, 32, 1000, zScale);
        var (_, result) = CoefficientMultigridTests.PcgMg(op, CoefficientMultigridTests.RandomB(op, 1));
        Assert.That(result.Status, Is.EqualTo(SolveStatus.Converged), result.Message);
        Assert.That(result.Details["levels"], Does.Contain("lines along z"));
        Assert.That(result.Iterations, Is.LessThanOrEqualTo(iterations));
    }
}
