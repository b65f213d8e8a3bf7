using System.Buffers;

namespace Dcdm.Solvers;

/// <summary>
/// A grid's unknowns as runs along x: each run a stretch of unknowns in consecutive cells of one row of the grid, joined
/// by open faces, so a connected-components search joins runs (tens of thousands at 128^3) instead of cells (millions).
/// Run r holds unknowns First[r] .. First[r + 1] - 1; the runs of grid row q = y + ny z are RowFirst[q] .. RowFirst[q + 1] - 1, by x.
/// </summary>
internal sealed class UnknownRuns
{
    readonly int[] _cells;
    readonly int[] _x; // each run's first x
    readonly int _nx;

    /// <summary>Each run's first unknown, then the number of unknowns.</summary>
    public int[] First { get; }
    /// <summary>Each grid row's first run, then the number of runs.</summary>
    public int[] RowFirst { get; }
    public int Count => First.Length - 1;

    /// <param name="cells">The unknowns' cells, ascending (<see cref="Poisson.PoissonGrid.UnknownCells"/>).</param>
    /// <param name="faceX">A voxel operator's x faces: a run also ends where the face to the next cell is closed (not &gt; 0);
    /// null: every face between two unknowns is open (a grid's).</param>
    public UnknownRuns(int nx, int ny, int nz, int[] cells, double[]? faceX = null)
    {
        _cells = cells;
        _nx = nx;
        int n = cells.Length, chunks = (n + Chunk - 1) / Chunk;
        // each chunk's runs into pooled buffers (at most one per unknown), then copied into place: one pass over the cells
        var found = new (int[] First, int[] X)[chunks];
        var before = new int[chunks + 1];
        Parallel.For(0, chunks, c =>
        {
            found[c] = (ArrayPool<int>.Shared.Rent(Chunk), ArrayPool<int>.Shared.Rent(Chunk));
            before[c + 1] = Starts(cells, nx, faceX, c * Chunk, Math.Min(n, (c + 1) * Chunk), found[c].First, found[c].X);
        });
        for (int c = 0; c < chunks; c++) before[c + 1] += before[c];
        var first = new int[before[chunks] + 1];
        var x = new int[before[chunks]];
        first[^1] = n;
        Parallel.For(0, chunks, c =>
        {
            int count = before[c + 1] - before[c];
            found[c].First.AsSpan(0, count).CopyTo(first.AsSpan(before[c]));
            found[c].X.AsSpan(0, count).CopyTo(x.AsSpan(before[c]));
            ArrayPool<int>.Shared.Return(found[c].First);
            ArrayPool<int>.Shared.Return(found[c].X);
        });
        _x = x;
        var rowFirst = new int[ny * nz + 1];
        for (int r = 0; r < first.Length - 1; r++) rowFirst[cells[first[r]] / nx + 1]++;
        for (int q = 0; q < ny * nz; q++) rowFirst[q + 1] += rowFirst[q];
        (First, RowFirst) = (first, rowFirst);
    }

    /// <summary>
    /// The runs starting among unknowns from..to-1: where a cell does not follow the last one, or starts a row, or its face
    /// to the last one is closed. Written into <paramref name="into"/> with their x; returns how many.
    /// One division per row, not per unknown.
    /// </summary>
    static int Starts(int[] cells, int nx, double[]? faceX, int from, int to, Span<int> into, Span<int> x)
    {
        // the first cell past the row of the unknown before (a chunk continues the run its predecessor ended in)
        int count = 0, rowEnd = from == 0 ? -1 : (cells[from - 1] / nx + 1) * nx;
        for (int u = from; u < to; u++)
        {
            int cell = cells[u];
            bool starts;
            if (cell >= rowEnd) { starts = true; rowEnd = (cell / nx + 1) * nx; }
            else starts = cell != cells[u - 1] + 1 || faceX is not null && !(faceX[cell - 1] > 0); // u > 0 here: rowEnd is -1 only before the first unknown
            if (!starts) continue;
            (into[count], x[count]) = (u, cell - (rowEnd - nx));
            count++;
        }
        return count;
    }

    /// <summary>Unknowns per chunk of the parallel passes.</summary>
    internal const int Chunk = 1 << 16;

    /// <summary>The x of run r's first and last cells.</summary>
    public (int From, int To) Span(int r)
    {
        int from = _x[r];
        return (from, from + First[r + 1] - First[r] - 1);
    }

    /// <summary>The run holding unknown cell <paramref name="cell"/>, searching forward from run <paramref name="from"/> (cells ascend with runs).</summary>
    public int RunOf(int cell, int from)
    {
        int r = from;
        while (_cells[First[r + 1] - 1] < cell) r++;
        return r;
    }

    /// <summary>
    /// The connected components of the unknowns (face neighbours), numbered in the order of their first unknown: each
    /// run's component and how many. Runs join the overlapping runs of the row below (-y) and of the plane below (-z), by
    /// a merge of the two rows' runs; slabs of planes in parallel, then the faces between slabs.
    /// </summary>
    /// <param name="faceY">A voxel operator's y faces (with <paramref name="faceZ"/>, its z faces): overlapping runs join
    /// where one face between them is open (&gt; 0), found by a scan that stops at the first; null: every face is open.</param>
    public (int[] Component, int Count) Components(int ny, int nz, double[]? faceY = null, double[]? faceZ = null)
    {
        int nx = _nx;
        int runs = Count;
        var parent = new int[runs];
        for (int r = 0; r < runs; r++) parent[r] = r;
        int Find(int r)
        {
            while (parent[r] != r) r = parent[r] = parent[parent[r]];
            return r;
        }
        void Union(int a, int b)
        {
            a = Find(a); b = Find(b);
            if (a != b) parent[Math.Max(a, b)] = Math.Min(a, b); // the smaller run the root: its first unknown is the set's
        }
        // the faces from row below's cells at x = from..to to the row above: one open is enough
        bool AnyOpen(double[] faces, int below, int from, int to)
        {
            for (int f = below * nx + from, end = below * nx + to; f <= end; f++) if (faces[f] > 0) return true;
            return false;
        }
        void Join(int row, int below, double[]? faces)
        {
            int i = RowFirst[row], iEnd = RowFirst[row + 1], j = RowFirst[below], jEnd = RowFirst[below + 1];
            while (i < iEnd && j < jEnd)
            {
                var (a, b) = (Span(i), Span(j));
                if (a.From <= b.To && b.From <= a.To && (faces is null || Find(i) != Find(j) && AnyOpen(faces, below, Math.Max(a.From, b.From), Math.Min(a.To, b.To))))
                    Union(i, j);
                if (a.To < b.To) i++; else j++;
            }
        }
        int slabs = runs < 4096 ? 1 : Math.Min(nz, 4 * Environment.ProcessorCount);
        Parallel.For(0, slabs, s =>
        {
            int z0 = (int)((long)nz * s / slabs), z1 = (int)((long)nz * (s + 1) / slabs);
            for (int z = z0; z < z1; z++)
                for (int y = 0; y < ny; y++)
                {
                    if (y > 0) Join(y + ny * z, y - 1 + ny * z, faceY);
                    if (z > z0) Join(y + ny * z, y + ny * (z - 1), faceZ);
                }
        });
        for (int s = 1; s < slabs; s++)
        {
            int z = (int)((long)nz * s / slabs);
            for (int y = 0; y < ny; y++) Join(y + ny * z, y + ny * (z - 1), faceZ);
        }
        // roots in run order are the components in the order of their first unknown
        var component = new int[runs];
        int count = 0;
        for (int r = 0; r < runs; r++) component[r] = Find(r) == r ? count++ : component[Find(r)];
        return (component, count);
    }
}
