using Dcdm.MatrixMarket;

namespace Dcdm.Tests;

/// <summary>
/// ||P b - A x|| / ||P b|| from a matrix's stored triplets with plain loops (not the solvers' CSR or
/// range projection): rows that are all zero are not equations, and on each connected component
/// whose rows all sum to zero (a pure Neumann one) P removes the component's mean.
/// </summary>
public static class IndependentResidual
{
    public static double OfFiles(string matrix, string? rhs, string x)
    {
        var content = MatrixMarketReader.Read(matrix);
        var solution = MatrixMarketReader.ReadVector(x);
        var active = ActiveRows(content);
        var b = rhs is null ? Multiply(content, active.Select(a => a ? 1.0 : 0.0).ToArray()) : MatrixMarketReader.ReadVector(rhs);
        return Of(content, b, solution);
    }

    public static double Of(MatrixMarketContent content, double[] b, double[] x)
    {
        var active = ActiveRows(content);
        var ax = Multiply(content, x);
        var r = new double[b.Length];
        var pb = (double[])b.Clone();
        for (int i = 0; i < b.Length; i++) r[i] = active[i] ? b[i] - ax[i] : 0;
        foreach (var component in SingularComponents(content, active))
        {
            double meanR = component.Average(i => r[i]), meanB = component.Average(i => b[i]);
            foreach (int i in component) { r[i] -= meanR; pb[i] -= meanB; }
        }
        double rr = 0, bb = 0;
        for (int i = 0; i < b.Length; i++) if (active[i]) { rr += r[i] * r[i]; bb += pb[i] * pb[i]; }
        return Math.Sqrt(rr / bb);
    }

    public static bool[] ActiveRows(MatrixMarketContent c)
    {
        var active = new bool[c.Header.Rows];
        for (int k = 0; k < c.Values.Length; k++) if (c.Values[k] != 0) { active[c.RowIndices[k]] = true; active[c.ColumnIndices[k]] = true; }
        return active;
    }

    public static double[] Multiply(MatrixMarketContent c, double[] x)
    {
        var y = new double[c.Header.Rows];
        bool symmetric = c.Header.Symmetry == MatrixMarketSymmetry.Symmetric;
        for (int k = 0; k < c.Values.Length; k++)
        {
            int i = c.RowIndices[k], j = c.ColumnIndices[k];
            y[i] += c.Values[k] * x[j];
            if (symmetric && i != j) y[j] += c.Values[k] * x[i];
        }
        return y;
    }

    /// <summary>Components (breadth-first over the nonzero pattern) in which every row sums to zero.</summary>
    static IEnumerable<List<int>> SingularComponents(MatrixMarketContent c, bool[] active)
    {
        int n = c.Header.Rows;
        var neighbours = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        for (int k = 0; k < c.Values.Length; k++)
            if (c.Values[k] != 0 && c.RowIndices[k] != c.ColumnIndices[k])
            {
                neighbours[c.RowIndices[k]].Add(c.ColumnIndices[k]);
                neighbours[c.ColumnIndices[k]].Add(c.RowIndices[k]);
            }
        var rowSums = Multiply(c, Enumerable.Repeat(1.0, n).ToArray());
        var seen = new bool[n];
        for (int start = 0; start < n; start++)
        {
            if (!active[start] || seen[start]) continue;
            var component = new List<int> { start };
            seen[start] = true;
            for (int head = 0; head < component.Count; head++)
                foreach (int j in neighbours[component[head]])
                    if (!seen[j]) { seen[j] = true; component.Add(j); }
            double scale = component.Max(i => Math.Abs(neighbours[i].Count));
            if (component.All(i => Math.Abs(rowSums[i]) <= 1e-12 * Math.Max(1, scale))) yield return component;
        }
    }
}
