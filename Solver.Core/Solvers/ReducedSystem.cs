using Dcdm.Sparse;

namespace Dcdm.Solvers;

/// <summary>
/// The unknowns of a square system: rows with at least one nonzero (others are not unknowns, x = 0
/// there), the matrix restricted to them, and its connected components. A component whose row sums
/// all vanish has the constants in its null space (a closed fluid pocket): b is made compatible by
/// removing its mean there, and x is returned with zero mean there.
/// </summary>
public sealed class ReducedSystem
{
    /// <summary>Rows of the original matrix.</summary>
    public int FullSize { get; }
    /// <summary>Original row of each unknown; null when every row is an unknown.</summary>
    public int[]? Active { get; }
    /// <summary>The matrix on the unknowns.</summary>
    public CsrMatrix Matrix { get; }
    public int Unknowns => Matrix.Rows;
    public int ComponentCount { get; }
    /// <summary>Unknown indices of each component with a constant null space.</summary>
    public IReadOnlyList<int[]> SingularComponents { get; }
    /// <summary>Original row of the first unknown whose diagonal is &lt;= 0, or -1: such a matrix is not SPD.</summary>
    public int NonPositiveDiagonalRow { get; }

    public ReducedSystem(CsrMatrix matrix)
    {
        if (!matrix.IsSquare) throw new InvalidSystemException($"the matrix is {matrix.Rows} x {matrix.Columns}; a solver needs a square matrix");
        FullSize = matrix.Rows;
        var active = new List<int>();
        for (int i = 0; i < matrix.Rows; i++) if (matrix.RowHasNonZero(i)) active.Add(i);
        if (active.Count == matrix.Rows) Matrix = matrix;
        else { Active = active.ToArray(); Matrix = matrix.Submatrix(Active); }

        var diagonal = Matrix.Diagonal();
        NonPositiveDiagonalRow = -1;
        for (int i = 0; i < diagonal.Length; i++)
            if (!(diagonal[i] > 0)) { NonPositiveDiagonalRow = Active?[i] ?? i; break; }

        var (component, count) = Components(Matrix);
        ComponentCount = count;
        SingularComponents = FindSingular(Matrix, component, count);
    }

    /// <summary>Copies the unknowns' entries of a full vector.</summary>
    public void Restrict(ReadOnlySpan<double> full, Span<double> reduced)
    {
        if (Active is null) { full.CopyTo(reduced); return; }
        for (int k = 0; k < Active.Length; k++) reduced[k] = full[Active[k]];
    }

    /// <summary>Writes the unknowns into a full vector, 0 at rows that are not unknowns.</summary>
    public void Prolong(ReadOnlySpan<double> reduced, Span<double> full)
    {
        if (Active is null) { reduced.CopyTo(full); return; }
        full.Clear();
        for (int k = 0; k < Active.Length; k++) full[Active[k]] = reduced[k];
    }

    /// <summary>||b||^2 over rows that are not unknowns (the part no x can match).</summary>
    public double InactiveNormSquared(ReadOnlySpan<double> full)
    {
        if (Active is null) return 0;
        double total = VectorOps.Dot(full, full), kept = 0;
        foreach (int i in Active) kept += full[i] * full[i];
        return Math.Max(0, total - kept);
    }

    /// <summary>Removes the mean of v on every singular component; returns the squared norm removed.</summary>
    public double RemoveNullSpace(Span<double> v) => ConstantNullSpace.RemoveMeans(SingularComponents, v);

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
