namespace Dcdm.Sparse;

/// <summary>A square linear operator y = A x on vectors of length <see cref="Size"/>.</summary>
public interface ILinearOperator
{
    int Size { get; }
    void Apply(ReadOnlySpan<double> x, Span<double> y);
}
