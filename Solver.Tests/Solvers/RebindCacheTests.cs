namespace Dcdm.Tests.Solvers;

/// <summary>The re-bind's arrays: taken again at the same length, zeroed; new outside a re-bind; never more than one binding's.</summary>
public class RebindCacheTests
{
    [Test]
    public void OutsideARebindEveryArrayIsNew()
    {
        var a = RebindCache.Array<double>(100);
        var b = RebindCache.Array<double>(100);
        Assert.That(a, Is.Not.SameAs(b));
        Assert.That(RebindCache.Active, Is.Null);
    }

    [Test]
    public void ARebindTakesTheLastBindingsArraysOfTheSameLengthZeroed()
    {
        var cache = new RebindCache();
        double[] a; float[] f; int[] big;
        using (cache.Begin())
        {
            a = RebindCache.Array<double>(1000);
            f = RebindCache.Array<float>(10);
            big = RebindCache.Array<int>(600_000); // cleared in parallel chunks when taken again
            Array.Fill(a, 7); Array.Fill(f, 3); Array.Fill(big, -1);
        }
        Assert.That(RebindCache.Active, Is.Null, "the scope ended");
        using (cache.Begin())
        {
            Assert.That(RebindCache.Active, Is.SameAs(cache));
            var again = RebindCache.Array<double>(1000);
            var shorter = RebindCache.Array<double>(999);
            var floats = RebindCache.Array<float>(10);
            Assert.That(again, Is.SameAs(a));
            Assert.That(floats, Is.SameAs(f), "keyed by element type and length");
            Assert.That(shorter, Is.Not.SameAs(a));
            Assert.That(again, Is.All.Zero);
            Assert.That(floats, Is.All.Zero);
            Assert.That((cache.Reused, cache.Made), Is.EqualTo((2, 1)));
        }
        using (cache.Begin())
        {
            // the 600 000 ints were not taken by the last set-up, so they were dropped with it
            Assert.That(RebindCache.Array<int>(600_000), Is.Not.SameAs(big));
            Assert.That(RebindCache.Array<double>(1000), Is.SameAs(a), "lent to the last set-up, so free again");
        }
    }

    [Test]
    public void TheSetUpsParallelLoopsTakeFromTheCacheToo()
    {
        var cache = new RebindCache();
        var first = new int[4][];
        using (cache.Begin()) Parallel.For(0, 4, i => { first[i] = RebindCache.Array<int>(300_000); first[i].AsSpan().Fill(i + 1); });
        var second = new int[4][];
        using (cache.Begin()) Parallel.For(0, 4, i => second[i] = RebindCache.Array<int>(300_000));
        Assert.That(second.Distinct().Count(), Is.EqualTo(4), "each array lent once");
        Assert.That(second, Is.EquivalentTo(first));
        Assert.That(second.SelectMany(a => a), Is.All.Zero);
        Assert.That(cache.Reused, Is.EqualTo(4));
    }

    [Test]
    public void AnArrayItsCallerFillsIsTakenAsItWas()
    {
        var cache = new RebindCache();
        int[] a;
        using (cache.Begin()) { a = RebindCache.Array<int>(300_000, zeroed: false); Array.Fill(a, 5); }
        using (cache.Begin())
        {
            var again = RebindCache.Array<int>(300_000, zeroed: false);
            Assert.That(again, Is.SameAs(a));
            Assert.That(again, Is.All.EqualTo(5), "not cleared: the caller writes every entry");
        }
        Assert.That(RebindCache.Array<int>(10, zeroed: false), Is.All.Zero, "a new array is zero anyway");
    }
}
