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
    public void ARankOutsideTheValuesOrANaNIsRefused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SortedRank.ValueAt([1.0, 2.0], 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SortedRank.ValueAt([1.0, 2.0], -1));
        Assert.Throws<ArgumentException>(() => SortedRank.ValueAt([1.0, double.NaN], 0));
    }
}
