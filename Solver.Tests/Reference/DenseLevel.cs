using Dcdm.Multigrid;

namespace Dcdm.Tests.Reference;

/// <summary>A coarse level written out as a dense matrix, to check it entry for entry against P^T A P.</summary>
static class DenseLevel
{
    public static double[,] Dense(this AggregateLevel level)
    {
        var a = new double[level.Rows, level.Rows];
        for (int i = 0; i < level.Rows; i++)
        {
            a[i, i] = level.Diagonal[i];
            for (int k = level.RowStart[i]; k < level.RowStart[i + 1]; k++) a[i, level.Columns[k]] += level.Values[k];
        }
        return a;
    }
}
