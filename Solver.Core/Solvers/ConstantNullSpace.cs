namespace Dcdm.Solvers;

/// <summary>The constants on closed components (pure Neumann pockets): the null space that both system views project out.</summary>
public static class ConstantNullSpace
{
    /// <summary>Removes the mean of v on every component; returns the squared norm removed.</summary>
    public static double RemoveMeans(IReadOnlyList<int[]> components, Span<double> v)
    {
        double removed = 0;
        foreach (var comp in components)
        {
            double mean = 0;
            foreach (int i in comp) mean += v[i];
            mean /= comp.Length;
            foreach (int i in comp) v[i] -= mean;
            removed += mean * mean * comp.Length;
        }
        return removed;
    }
}
