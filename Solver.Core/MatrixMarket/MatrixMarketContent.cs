using Dcdm.Sparse;

namespace Dcdm.MatrixMarket;

/// <summary>
/// What a Matrix Market file held. Coordinate files give 0-based triplets as stored (symmetric files
/// list one triangle; <see cref="ToCsr"/> mirrors them). Array files give the dense values column by column.
/// </summary>
public sealed class MatrixMarketContent
{
    public MatrixMarketHeader Header { get; }
    public int[] RowIndices { get; }
    public int[] ColumnIndices { get; }
    public double[] Values { get; }

    internal MatrixMarketContent(MatrixMarketHeader header, int[] rows, int[] columns, double[] values)
    {
        Header = header; RowIndices = rows; ColumnIndices = columns; Values = values;
    }

    /// <summary>The matrix in CSR form, symmetric storage expanded to both triangles, duplicates summed.</summary>
    public CsrMatrix ToCsr()
    {
        var h = Header;
        if (h.Format == MatrixMarketFormat.Array)
        {
            var rows = new List<int>(); var cols = new List<int>(); var vals = new List<double>();
            for (int j = 0; j < h.Columns; j++)
                for (int i = 0; i < h.Rows; i++)
                {
                    double v = Values[(long)j * h.Rows + i];
                    if (v != 0) { rows.Add(i); cols.Add(j); vals.Add(v); }
                }
            return CsrMatrix.FromCoordinates(h.Rows, h.Columns, rows.ToArray(), cols.ToArray(), vals.ToArray());
        }
        if (h.Symmetry == MatrixMarketSymmetry.General)
            return CsrMatrix.FromCoordinates(h.Rows, h.Columns, RowIndices, ColumnIndices, Values);

        return CsrMatrix.FromSymmetricTriangle(h.Rows, RowIndices, ColumnIndices, Values);
    }

    /// <summary>A vector: an array file with one column (or one row), or a coordinate file with one column.</summary>
    public double[] ToVector(string file)
    {
        var h = Header;
        if (h.Columns != 1 && h.Rows != 1)
            throw new MatrixMarketException(file, 2, $"expected a vector (one column), found a {h.Rows} x {h.Columns} matrix");
        if (h.Format == MatrixMarketFormat.Array) return Values;
        var v = new double[Math.Max(h.Rows, h.Columns)];
        for (int k = 0; k < Values.Length; k++) v[h.Columns == 1 ? RowIndices[k] : ColumnIndices[k]] += Values[k];
        return v;
    }
}
