namespace Dcdm.Tests;

/// <summary>
/// Bytes an action allocates, the fewest of several runs: the process-wide counter also sees sporadic allocations of the
/// runtime's own threads (tiered JIT, the thread pool), which made single measurements flaky; the code's own share is
/// there in every run. Ten runs, not three: in a whole-suite run a cycle on a 1x18x15 tank counted 40 KB in each of
/// three (its bound 32 KB), while the same test alone passed six times in six.
/// </summary>
public static class AllocatedBytes
{
    public static long Fewest(Action action, int runs = 10)
    {
        long fewest = long.MaxValue;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            action();
            fewest = Math.Min(fewest, GC.GetTotalAllocatedBytes(precise: true) - before);
        }
        return fewest;
    }
}
