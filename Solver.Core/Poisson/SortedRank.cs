namespace Dcdm.Poisson;

/// <summary>
/// The value a sort would put at a given place, without sorting: the values are counted into buckets between their
/// least and greatest (the bucket of a value never falls as the value rises), and only the bucket holding that place is
/// sorted. A generator's cut of a field of 16.7 million values (256^3) needs no sorted copy of it.
/// </summary>
internal static class SortedRank
{
    const int Buckets = 1 << 16;

    /// <summary>values sorted ascending, at <paramref name="rank"/> (0: the least); no value may be NaN.</summary>
    public static double ValueAt(ReadOnlySpan<double> values, long rank)
    {
        if (rank < 0 || rank >= values.Length)
            throw new ArgumentOutOfRangeException(nameof(rank), $"rank {rank} of {values.Length} values; give 0 to {values.Length - 1}");
        double least = double.PositiveInfinity, greatest = double.NegativeInfinity;
        for (int i = 0; i < values.Length; i++)
        {
            double v = values[i];
            if (double.IsNaN(v)) throw new ArgumentException($"value {i} is NaN, which has no place in a sort; give finite or infinite values", nameof(values));
            least = Math.Min(least, v);
            greatest = Math.Max(greatest, v);
        }
        if (least == greatest) return least;
        double scale = (Buckets - 1) / (greatest - least);
        if (!double.IsFinite(scale) || scale == 0) return SortedCopy(values, rank); // a range too wide or too narrow for buckets
        var count = new long[Buckets];
        foreach (double v in values) count[Bucket(v, least, scale)]++;
        int bucket = 0;
        long before = 0;
        while (before + count[bucket] <= rank) before += count[bucket++];
        var inBucket = new double[count[bucket]];
        int k = 0;
        foreach (double v in values) if (Bucket(v, least, scale) == bucket) inBucket[k++] = v;
        Array.Sort(inBucket);
        return inBucket[rank - before];
    }

    static int Bucket(double v, double least, double scale) => Math.Min(Buckets - 1, (int)((v - least) * scale));

    static double SortedCopy(ReadOnlySpan<double> values, long rank)
    {
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return sorted[rank];
    }
}
