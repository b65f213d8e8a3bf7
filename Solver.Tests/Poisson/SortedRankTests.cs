using Dcdm.Poisson;

namespace Dcdm.Tests.Poisson;

public sealed class SortedRankTests
{
    static double BySort(double[] values, long rank)
    {
        var sorted = (double[])values.Clone();
        Array.Sort(sorted);
        return sorted[rank];
    }

    static IEnumerable<TestCaseData> Fields()
    {
        var rng = new Random(4);
        yield return new TestCaseData(Enumerable.Range(0, 100_000).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).SetArgDisplayNames("uniform");
        // a sum of cosines, as the carved rock's field: most values near the middle, few buckets hold them
        yield return new TestCaseData(Enumerable.Range(0, 100_000).Select(i => Enumerable.Range(1, 24).Sum(k => Math.Cos(0.37 * k * i + k))).ToArray()).SetArgDisplayNames("waves");
        yield return new TestCaseData(Enumerable.Range(0, 5_000).Select(_ => (double)rng.Next(4)).ToArray()).SetArgDisplayNames("four values, ties");
        yield return new TestCaseData(new[] { 3.0, 0.5, 0.0, -1e300, 1e300, 2.5, 2.5 }).SetArgDisplayNames("huge range");
        yield return new TestCaseData(new[] { 1.0, 1.0 + 1e-15, 1.0 + 2e-15, 1.0 }).SetArgDisplayNames("tiny range");
        // ranges whose scale is not finite (subnormal) or is 0 (greatest - least past double's greatest): the sorted copy
        yield return new TestCaseData(new[] { 0.0, double.Epsilon, 2 * double.Epsilon, 0.0, double.Epsilon }).SetArgDisplayNames("subnormal range");
        yield return new TestCaseData(new[] { -1.5e308, 1.0, 1.5e308, 0.0, -1.0 }).SetArgDisplayNames("range past double's greatest");
        yield return new TestCaseData(Enumerable.Range(0, 10_000).Select(_ => -1 - rng.NextDouble()).ToArray()).SetArgDisplayNames("all negative");
        yield return new TestCaseData(new[] { double.NegativeInfinity, 2.0, double.PositiveInfinity, -1.0 }).SetArgDisplayNames("infinities");
        yield return new TestCaseData(new[] { 7.0, 7.0, 7.0 }).SetArgDisplayNames("all equal");
        // a tail far from the rest: every other value falls in the first bucket
        yield return new TestCaseData(Enumerable.Range(0, 10_000).Select(i => i == 0 ? 1e9 : rng.NextDouble()).ToArray()).SetArgDisplayNames("one outlier");
    }

    [TestCaseSource(nameof(Fields))]
    public void TheValueAtEveryRankTestedIsTheSortsOne(double[] values)
    {
        var ranks = new long[] { 0, 1, values.Length / 3, values.Length / 2, values.Length - 2, values.Length - 1 }.Where(r => r >= 0).Distinct();
        foreach (long rank in ranks)
            Assert.That(BitConverter.DoubleToInt64Bits(SortedRank.ValueAt(values, rank)), Is.EqualTo(BitConverter.DoubleToInt64Bits(BySort(values, rank))), $"rank {rank}");
    }

    [Test]
    public void MinusZeroAndZeroAreOneValue()
    {
        // a sort leaves -0.0 and 0.0 in either order, so only their value is the sort's, not their sign
        var values = new[] { 0.0, -0.0, 1.0, -0.0, 0.0, 2.0 };
        for (long rank = 0; rank < values.Length; rank++) Assert.That(SortedRank.ValueAt(values, rank), Is.EqualTo(BySort(values, rank)), $"rank {rank}");
        Assert.That(SortedRank.ValueAt([0.0, -0.0, 0.0], 2), Is.EqualTo(0.0));
    }

    [Test]
    public void AMillionValuesAreNotCopied()
    {
        // the point of the buckets: a 256^3 field's cut without a sorted copy (8 bytes a value); the counts are 512 KB
        var rng = new Random(7);
        var values = Enumerable.Range(0, 1 << 20).Select(_ => rng.NextDouble() - 0.5).ToArray();
        long allocated = AllocatedBytes.Fewest(() => SortedRank.ValueAt(values, values.Length / 3));
        Assert.That(allocated, Is.LessThan(values.Length * sizeof(double) / 4), "a sorted copy of the values");
        Assert.That(SortedRank.ValueAt(values, values.Length / 3), Is.EqualTo(BySort(values, values.Length / 3)));
    }

    [Test]
    public void ARankOutsideTheValuesOrANaNIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SortedRank.ValueAt([1.0, 2.0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SortedRank.ValueAt([1.0, 2.0], -1));
        Assert.Throws<ArgumentException>(() => SortedRank.ValueAt([1.0, double.NaN], 0));
    }
}
