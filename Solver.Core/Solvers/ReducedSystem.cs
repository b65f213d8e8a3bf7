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

    static (int[] component, int count) Components(CsrMatrix a)
    {
        var comp = new int[a.Rows];
        Array.Fill(comp, -1);
        var stack = new Stack<int>();
        int count = 0;
        for (int s = 0; s < a.Rows; s++)
        {
            if (comp[s] >= 0) continue;
            comp[s] = count;
            stack.Push(s);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                {
                    int j = a.ColumnIndices[k];
                    if (a.Values[k] == 0 || comp[j] >= 0) continue;
                    comp[j] = count;
                    stack.Push(j);
                }
            }
            count++;
        }
        return (comp, count);
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
