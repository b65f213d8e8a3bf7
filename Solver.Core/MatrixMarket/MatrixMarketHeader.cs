namespace Dcdm.MatrixMarket;

public enum MatrixMarketFormat { Coordinate, Array }
public enum MatrixMarketField { Real, Integer, Pattern }
public enum MatrixMarketSymmetry { General, Symmetric }

/// <summary>The banner and size line of a Matrix Market file. Entries is the count stored in the file (before mirroring).</summary>
public sealed record MatrixMarketHeader(
    MatrixMarketFormat Format, MatrixMarketField Field, MatrixMarketSymmetry Symmetry,
    int Rows, int Columns, long Entries);
