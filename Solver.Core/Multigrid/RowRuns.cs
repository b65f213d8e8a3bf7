namespace Dcdm.Multigrid;

/// <summary>
/// body(z, y0, y1) over rows y0..y1 of planes z0..z1, as the box kernels and the first level's transfers walk them: by
/// planes, in parallel when there are at least two a core; fewer planes (a grid one or a few cells high, as a 2D code's)
/// are cut into runs of rows, four a core in each plane, so every core works; serial where the caller's box is small.
/// </summary>
internal static class RowRuns
{
    public static void For(int z0, int z1, int y0, int y1, bool parallel, Action<int, int, int> body)
    {
        int planes = z1 - z0 + 1, height = y1 - y0 + 1;
        if (planes <= 0 || height <= 0) return;
        if (!parallel) { for (int z = z0; z <= z1; z++) body(z, y0, y1); return; }
        if (planes >= 2 * Environment.ProcessorCount) { Parallel.For(z0, z1 + 1, z => body(z, y0, y1)); return; }
        int runs = Math.Min(height, 4 * Environment.ProcessorCount);
        Parallel.For(0, planes * runs, k =>
        {
            int z = z0 + k / runs, run = k % runs;
            body(z, y0 + (int)((long)height * run / runs), y0 + (int)((long)height * (run + 1) / runs) - 1);
        });
    }
}
