using Dcdm.Poisson;
using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// The one view of a system's unknowns, built from a matrix or from a voxel grid: which rows (cells)
/// are unknowns (others have x = 0), the matrix on them, its connected components, and which of those
/// have the constants in their null space (a closed fluid pocket: b is made compatible by removing its
/// mean there, and x is returned with zero mean there). Vectors come in two layouts: on the unknowns
/// (compact, what the CSR solvers iterate on) or on all rows (the full grid, what the matrix-free grid
/// solvers iterate on); gather, scatter, projection and null-space removal exist for both.
/// </summary>
public sealed class ReducedSystem
{
    /// <summary>Rows of the original matrix (cells of the grid).</summary>
    public int FullSize { get; }
    /// <summary>Original row (cell) of each unknown; null when every row is an unknown.</summary>
    public int[]? Active { get; }
    /// <summary>The matrix on the unknowns (for a grid: assembled on first use, matrix-free solvers never ask).</summary>
    public CsrMatrix Matrix => _matrix ??= _assemble!();
    /// <summary>Whether <see cref="Matrix"/> was given or assembled (a grid's solvers on the CPU never assemble it).</summary>
    internal bool IsAssembled => _matrix is not null;
    public int Unknowns { get; }
    public int ComponentCount { get; }
    /// <summary>Unknown indices of each component with a constant null space.</summary>
    public IReadOnlyList<int[]> SingularComponents { get; }
    /// <summary>Original row of the first unknown whose diagonal is &lt;= 0, or -1: such a matrix is not SPD.</summary>
    public int NonPositiveDiagonalRow { get; }

    CsrMatrix? _matrix;
    readonly Func<CsrMatrix>? _assemble;
    int[][]? _singularRows;

    public ReducedSystem(CsrMatrix matrix)
    {
        if (!matrix.IsSquare) throw new InvalidSystemException($"the matrix is {matrix.Rows} x {matrix.Columns}; a solver needs a square matrix");
        FullSize = matrix.Rows;
        var active = new List<int>();
        for (int i = 0; i < matrix.Rows; i++) if (matrix.RowHasNonZero(i)) active.Add(i);
        if (active.Count == 0)
            throw new InvalidSystemException(matrix.Rows == 0 ? "the matrix is 0 x 0: there is nothing to solve"
                : $"the matrix has no nonzero entry (none of its {matrix.Rows} rows is an unknown): there is nothing to solve");
        if (active.Count == matrix.Rows) _matrix = matrix;
        else { Active = active.ToArray(); _matrix = matrix.Submatrix(Active); }
        Unknowns = _matrix.Rows;

        var diagonal = _matrix.Diagonal();
        NonPositiveDiagonalRow = -1;
        for (int i = 0; i < diagonal.Length; i++)
            if (!(diagonal[i] > 0)) { NonPositiveDiagonalRow = Active?[i] ?? i; break; }

        var (component, count) = Components(_matrix);
        ComponentCount = count;
        SingularComponents = FindSingular(_matrix, component, count);
    }

    ReducedSystem(int fullSize, int[]? active, int componentCount, IReadOnlyList<int[]> singular, Func<CsrMatrix> assemble,
                  int nonPositiveDiagonalRow = -1) // -1: every unknown of a grid has an open neighbour
    {
        FullSize = fullSize;
        Active = active;
        Unknowns = active?.Length ?? fullSize;
        ComponentCount = componentCount;
        SingularComponents = singular;
        NonPositiveDiagonalRow = nonPositiveDiagonalRow;
        _assemble = assemble;
    }

    ReducedSystem? _onItsUnknowns;

    /// <summary>
    /// The same system whose rows are its unknowns (vectors one entry per unknown, none dropped): for a caller whose
    /// vectors are already restricted, e.g. compact ones where every fluid cell is an unknown. The same matrix and components.
    /// </summary>
    internal ReducedSystem OnItsUnknowns() => Active is null ? this : _onItsUnknowns ??= new ReducedSystem(Unknowns, null, ComponentCount,
        SingularComponents, () => Matrix, NonPositiveDiagonalRow < 0 ? -1 : Array.BinarySearch(Active, NonPositiveDiagonalRow));

    /// <summary>
    /// The unknowns of a voxel grid's 7-point operator without assembling it: fluid cells with at least one
    /// open neighbour (an isolated fluid cell is a zero row), components joined over runs of unknowns along x
    /// (<see cref="UnknownRuns"/>), singular where a component touches no air. <paramref name="compactOperator"/> (one row per fluid
    /// cell, e.g. read from a file and already checked against the grid) becomes the matrix instead of a new assembly.
    /// </summary>
    public static ReducedSystem FromGrid(PoissonGrid grid, CsrMatrix? compactOperator = null)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz, cells = grid.CellCount;
        if (compactOperator is not null && (compactOperator.Rows != grid.FluidCount || !compactOperator.IsSquare))
            throw new InvalidSystemException($"the matrix is {compactOperator.Rows} x {compactOperator.Columns} but the grid {nx}x{ny}x{nz} has {grid.FluidCount} fluid cells");
        // unknowns: the cells with a diagonal, i.e. fluid with an open neighbour (usually all fluid cells: then the grid's own array)
        var rows = grid.UnknownCells;
        if (rows.Length == 0)
            throw new InvalidSystemException($"the {nx}x{ny}x{nz} grid has no fluid cell with an open neighbour: there is nothing to solve");
        // components over runs of unknowns along x; a component touches air where one of its cells has an air face
        var runs = new UnknownRuns(nx, ny, nz, rows);
        var (component, count) = runs.Components(ny, nz);
        var touchesAir = new bool[count];
        int run = 0;
        foreach (int i in grid.SurfaceCells) // ascending, and every one an unknown (it has a diagonal)
            touchesAir[component[run = runs.RunOf(i, run)]] = true;
        var singular = SingularMembers(runs, component, count, touchesAir);

        CsrMatrix Assemble()
        {
            var compact = compactOperator ?? grid.ToCsr(GridMatrixLayout.Compact);
            if (rows.Length == grid.FluidCount) return compact; // every fluid cell an unknown
            // isolated fluid cells are zero rows of the compact operator: keep the unknowns' rows
            var fluid = grid.CompactIndex;
            return compact.Submatrix(rows.Select(i => fluid[i]).ToArray());
        }
        return new ReducedSystem(cells, rows.Length == cells ? null : rows, count, singular, Assemble);
    }

    /// <summary>
    /// The unknowns of a voxel operator with per-face coefficients without scanning a matrix: the cells with a diagonal,
    /// components joined over open faces, singular where a component has no Dirichlet term (a closed pocket; a term
    /// below 1e-12 of its row counts as none, as the matrix's row-sum test has it). <paramref name="fullGridMatrix"/>
    /// (one row per cell, the operator's own, e.g. recognised from a file) becomes the matrix, or the source of its
    /// unknowns' rows; null: assembled on first use.
    /// </summary>
    public static ReducedSystem FromOperator(VoxelOperator op, CsrMatrix? fullGridMatrix = null)
        => FromOperator(op, fullGridMatrix is null ? null : new OperatorMatrix(fullGridMatrix, OnFluidCells: false));

    /// <summary>
    /// <see cref="FromOperator(VoxelOperator, CsrMatrix?)"/> with the operator's matrix full-grid or compact: a compact
    /// one is the matrix as it is where its rows are the unknowns (assembling it again took 80-90 ms of a 128^3 rock's
    /// set-up); one with a row for a cell without an equation (a zero row) is not theirs, and the matrix is assembled
    /// from the coefficients on first use, as without one.
    /// </summary>
    internal static ReducedSystem FromOperator(VoxelOperator op, OperatorMatrix? given)
    {
        int nx = op.Nx, ny = op.Ny, nz = op.Nz, cells = op.CellCount, plane = nx * ny;
        var matrix = given?.Matrix;
        bool onFluidCells = given?.OnFluidCells == true;
        if (matrix is not null && (!matrix.IsSquare || !onFluidCells && matrix.Rows != cells || matrix.Rows > cells))
            throw new InvalidSystemException($"the matrix is {matrix.Rows} x {matrix.Columns} but the operator's {nx}x{ny}x{nz} grid has {cells} cells"
                + (onFluidCells ? "" : " (a full-grid matrix: one row per cell)"));
        var (fx, fy, fz, dirichlet) = (op.FaceX, op.FaceY, op.FaceZ, op.Dirichlet);
        var diagonal = RebindCache.Array<double>(cells, zeroed: false); // every entry written below
        var planeFirst = new int[nz + 1]; // each plane's first unknown: its count first
        Parallel.For(0, nz, z =>
        {
            int n = 0;
            for (int y = 0; y < ny; y++)
            {
                var row = diagonal.AsSpan(nx * (y + ny * z), nx);
                op.RowDiagonals(y, z, row);
                foreach (double d in row) if (d > 0) n++;
            }
            planeFirst[z + 1] = n;
        });
        for (int z = 0; z < nz; z++) planeFirst[z + 1] += planeFirst[z];
        int count = planeFirst[nz];
        if (count == 0) throw new InvalidSystemException($"the {nx}x{ny}x{nz} operator has no cell with a diagonal: there is nothing to solve");
        var rows = new int[count];
        Parallel.For(0, nz, z =>
        {
            for (int i = z * plane, end = i + plane, k = planeFirst[z]; i < end; i++) if (diagonal[i] > 0) rows[k++] = i;
        });
        // components over runs of unknowns joined by open faces (every open face joins two unknowns)
        var runs = new UnknownRuns(nx, ny, nz, rows, fx);
        var (component, components) = runs.Components(ny, nz, fy, fz);
        var grounded = new bool[components]; // a cell's Dirichlet term counts: |row sum| against the sum of |entries|
        for (int r = 0; r < runs.Count; r++)
            if (!grounded[component[r]])
                for (int k = runs.First[r]; k < runs.First[r + 1]; k++)
                {
                    int i = rows[k];
                    if (dirichlet[i] > 1e-12 * (2 * diagonal[i] - dirichlet[i])) { grounded[component[r]] = true; break; }
                }
        var singular = SingularMembers(runs, component, components, grounded);
        bool all = count == cells;
        CsrMatrix Assemble()
        {
            if (matrix is not null && !onFluidCells) return all ? matrix : matrix.Submatrix(rows);
            if (matrix?.Rows == count) return matrix; // compact, a row for each unknown in their order
            var unknown = new int[cells]; // each cell's unknown, -1: none
            Array.Fill(unknown, -1);
            for (int k = 0; k < count; k++) unknown[rows[k]] = k;
            return op.ToCsr(rows, unknown);
        }
        return new ReducedSystem(cells, all ? null : rows, components, singular, Assemble) { _operatorDiagonal = (op, diagonal) };
    }

    /// <summary>
    /// The members of the components that are not <paramref name="anchored"/> (no air, no Dirichlet term: the constants
    /// are their null vector), each ascending, in component order (components are numbered in the order of their first unknown).
    /// </summary>
    static List<int[]> SingularMembers(UnknownRuns runs, int[] component, int count, bool[] anchored)
    {
        var index = new int[count]; // component -> its place among the singular ones, or -1
        int singularCount = 0;
        for (int c = 0; c < count; c++) index[c] = anchored[c] ? -1 : singularCount++;
        var singular = new List<int[]>(singularCount);
        if (singularCount == 0) return singular;
        var sizes = new int[singularCount];
        for (int r = 0; r < runs.Count; r++) if (index[component[r]] is int j and >= 0) sizes[j] += runs.First[r + 1] - runs.First[r];
        foreach (int size in sizes) singular.Add(new int[size]);
        var filled = new int[singularCount];
        for (int r = 0; r < runs.Count; r++)
            if (index[component[r]] is int j and >= 0)
                for (int u = runs.First[r]; u < runs.First[r + 1]; u++) singular[j][filled[j]++] = u;
        return singular;
    }

    (VoxelOperator Operator, double[] Diagonal)? _operatorDiagonal; // FromOperator's, for the rest of the set-up

    /// <summary>The operator's diagonal per cell: the one <see cref="FromOperator(VoxelOperator, CsrMatrix?)"/> computed when this system is that
    /// operator's (a set-up computes it once), else computed now.</summary>
    internal double[] DiagonalOf(VoxelOperator op) =>
        _operatorDiagonal is var (o, d) && ReferenceEquals(o, op) ? d : Multigrid.CellLevel.DiagonalOf(op);

    /// <summary>Copies the unknowns' entries of a full vector.</summary>
    public unsafe void Restrict(ReadOnlySpan<double> full, Span<double> reduced)
    {
        if (Active is null) { full.CopyTo(reduced); return; }
        var active = Active;
        fixed (double* pf = full, pr = reduced)
        {
            var (af, ar) = ((nint)pf, (nint)pr);
            VectorOps.ParallelChunks(active.Length, (s, e) => { for (int k = s; k < e; k++) ((double*)ar)[k] = ((double*)af)[active[k]]; });
        }
    }

    /// <summary>Writes the unknowns into a full vector, 0 at rows that are not unknowns.</summary>
    public unsafe void Prolong(ReadOnlySpan<double> reduced, Span<double> full)
    {
        if (Active is null) { reduced.CopyTo(full); return; }
        full.Clear();
        var active = Active;
        fixed (double* pr = reduced, pf = full)
        {
            var (ar, af) = ((nint)pr, (nint)pf);
            VectorOps.ParallelChunks(active.Length, (s, e) => { for (int k = s; k < e; k++) ((double*)af)[active[k]] = ((double*)ar)[k]; });
        }
    }

    /// <summary>||b||^2 over rows that are not unknowns (the part no x can match): summed over those rows, so exactly 0
    /// where b is 0 off the unknowns (the whole norm less the unknowns' leaves rounding where the two sums' orders differ).</summary>
    public unsafe double InactiveNormSquared(ReadOnlySpan<double> full)
    {
        if (Active is not { } active) return 0;
        int length = full.Length;
        fixed (double* pf = full)
        {
            nint at = (nint)pf;
            // chunks of the unknowns, each summing the rows before each of its unknowns after the last one (the rows past
            // the last unknown in the last chunk): a fixed chunking, so the same sum at any thread count
            return VectorOps.ParallelSum(active.Length, (from, to) =>
            {
                var v = (double*)at;
                double removed = 0;
                for (int k = from; k < to; k++)
                    for (int j = k == 0 ? 0 : active[k - 1] + 1; j < active[k]; j++) removed += v[j] * v[j];
                if (to == active.Length)
                    for (int j = active.Length == 0 ? 0 : active[^1] + 1; j < length; j++) removed += v[j] * v[j];
                return removed;
            });
        }
    }

    /// <summary>Removes the mean of v on every singular component; returns the squared norm removed.</summary>
    public double RemoveNullSpace(Span<double> v) => ConstantNullSpace.RemoveMeans(SingularComponents, v);

    /// <summary>Original rows (cells) of each singular component, for vectors in the full layout.</summary>
    public IReadOnlyList<int[]> SingularRows => _singularRows ??=
        Active is null ? SingularComponents.ToArray() : SingularComponents.Select(c => c.Select(u => Active[u]).ToArray()).ToArray();

    /// <summary>Sets v (full layout) to 0 off the unknowns: the invariant of matrix-free solvers' vectors.</summary>
    public void MaskToUnknowns(Span<double> full)
    {
        if (Active is null) return;
        int next = 0;
        for (int k = 0; k < Active.Length; k++)
        {
            full[next..Active[k]].Clear();
            next = Active[k] + 1;
        }
        full[next..].Clear();
    }

    /// <summary>
    /// b in the full layout, made a right-hand side: 0 off the unknowns, projected onto the range of A.
    /// Returns what was removed (null when nothing could be) and the norm of the prepared b.
    /// </summary>
    public (RangeProjection? projection, double norm) PrepareRightHandSideOnRows(ReadOnlySpan<double> b, Span<double> prepared)
    {
        double originalSq = VectorOps.Dot(b, b);
        b.CopyTo(prepared);
        MaskToUnknowns(prepared);
        double removedSq = InactiveNormSquared(b) + RemoveNullSpaceOnRows(prepared);
        var projection = removedSq > 0 || SingularComponents.Count > 0
            ? new RangeProjection(SingularComponents.Count, Math.Sqrt(removedSq), Math.Sqrt(originalSq))
            : null;
        return (projection, VectorOps.Norm2(prepared));
    }

    /// <summary>Removes the mean of v (full layout) on every singular component; returns the squared norm removed.</summary>
    public double RemoveNullSpaceOnRows(Span<double> full) => ConstantNullSpace.RemoveMeans(SingularRows, full);

    /// <summary>
    /// Restricts b to the unknowns and projects it onto the range of A (drops zero rows, removes
    /// the mean on singular components). Returns what was removed (null when nothing could be) and ||b_reduced||.
    /// </summary>
    public (RangeProjection? projection, double norm) PrepareRightHandSide(ReadOnlySpan<double> b, Span<double> reduced)
    {
        double originalSq = VectorOps.Dot(b, b);
        Restrict(b, reduced);
        double removedSq = InactiveNormSquared(b) + RemoveNullSpace(reduced);
        var projection = removedSq > 0 || SingularComponents.Count > 0
            ? new RangeProjection(SingularComponents.Count, Math.Sqrt(removedSq), Math.Sqrt(originalSq))
            : null;
        return (projection, VectorOps.Norm2(reduced));
    }

    /// <summary>
    /// Connected components of the matrix graph (nonzero entries), numbered in the order of their first row.
    /// Union-find over the upper triangle in row order (path halving, the smaller root wins): each entry is
    /// read once, in memory order.
    /// </summary>
    static (int[] component, int count) Components(CsrMatrix a)
    {
        int n = a.Rows;
        var parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        var ptr = a.RowPointers; var col = a.ColumnIndices; var val = a.Values;
        for (int i = 0; i < n; i++)
            for (int k = ptr[i]; k < ptr[i + 1]; k++)
            {
                int j = col[k];
                if (j <= i || val[k] == 0) continue; // symmetric: the upper triangle has every edge
                int ri = Root(parent, i), rj = Root(parent, j);
                if (ri == rj) continue;
                if (ri < rj) parent[rj] = ri; else parent[ri] = rj;
            }
        // Every parent has a smaller index than its child, so one pass in row order points each row at its
        // root (its parent's entry is final by then), and a second numbers the roots in row order, reusing the array.
        for (int i = 0; i < n; i++) parent[i] = parent[parent[i]];
        var comp = parent;
        int count = 0;
        for (int i = 0; i < n; i++) comp[i] = parent[i] == i ? count++ : comp[parent[i]];
        return (comp, count);
    }

    static int Root(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }

    static List<int[]> FindSingular(CsrMatrix a, int[] component, int count)
    {
        // A component is singular with the constants as null vector when A 1 = 0 on it.
        var zeroRowSums = new bool[count];
        Array.Fill(zeroRowSums, true);
        for (int i = 0; i < a.Rows; i++)
        {
            double sum = 0, abs = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) { sum += a.Values[k]; abs += Math.Abs(a.Values[k]); }
            if (Math.Abs(sum) > 1e-12 * abs) zeroRowSums[component[i]] = false;
        }
        var members = new List<int>[count];
        for (int i = 0; i < a.Rows; i++)
            if (zeroRowSums[component[i]]) (members[component[i]] ??= new List<int>()).Add(i);
        var result = new List<int[]>();
        for (int c = 0; c < count; c++) if (members[c] is { } m) result.Add(m.ToArray());
        return result;
    }
}
