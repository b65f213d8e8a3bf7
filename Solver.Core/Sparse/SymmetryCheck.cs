namespace Dcdm.Sparse;

/// <summary>Outcome of <see cref="CsrMatrix.CheckSymmetry"/>: the worst pair and its relative mismatch.</summary>
public readonly record struct SymmetryCheck(bool IsSymmetric, double RelativeMismatch, int Row, int Column, double Tolerance)
{
    public override string ToString() => IsSymmetric
        ? $"symmetric (largest relative mismatch {RelativeMismatch:g3} <= {Tolerance:g3})"
        : Row < 0 ? "not square" : $"not symmetric: A({Row + 1},{Column + 1}) and A({Column + 1},{Row + 1}) differ by {RelativeMismatch:g3} of the largest entry (tolerance {Tolerance:g3})";
}
