namespace Dcdm.Models;

/// <summary>A float32 tensor of a model file: its shape and its values in row-major order.</summary>
public sealed record ModelTensor(int[] Shape, float[] Values)
{
    public long Count => Shape.Aggregate(1L, (a, d) => a * d);
    public string ShapeText => "[" + string.Join(", ", Shape) + "]";
}
