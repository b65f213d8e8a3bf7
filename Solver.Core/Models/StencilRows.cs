namespace Dcdm.Models;

/// <summary>
/// Which cells of one level share a predicted stencil, the same for every block of the level (the
/// stencils depend only on the 3x3x3 neighbourhood of flags). Rows 0..2 are the uniform neighbourhoods
/// (a cell inside the grid whose 27 neighbours are all fluid, all air or all solid). Where the flags are
/// exactly one-hot (the finest level) each further row is one distinct neighbourhood: 27 taps of
/// {outside, fluid, air, solid}, two bits each, one 54-bit key. On coarser levels the flags are averages
/// and every other cell has a row of its own. Rows are numbered in the order of their first cell.
/// </summary>
public sealed class StencilRows
{
    /// <summary>Per cell: its row.</summary>
    public int[] Slot { get; }
    /// <summary>For row 3 + k: a cell that has it (its first).</summary>
    public int[] Representative { get; }

    StencilRows(int[] slot, int[] representative) { Slot = slot; Representative = representative; }

    public static StencilRows Of(float[] flags, (int Nx, int Ny, int Nz) size)
    {
        var (nx, ny, nz) = size;
        int n = nx * ny * nz;
        var slot = new int[n];
        bool oneHot = OneHot(flags);
        var mixed = new int[nz + 1]; // per plane: its cells without a uniform neighbourhood, then prefix sums
        Parallel.For(0, nz, z =>
        {
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                {
                    int cell = (z * ny + y) * nx + x;
                    bool inside = x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                    slot[cell] = inside && UniformType(flags, n, nx, ny, cell) is int type ? type : -1;
                    if (slot[cell] < 0) mixed[z + 1]++;
                }
        });
        for (int z = 0; z < nz; z++) mixed[z + 1] += mixed[z];
        // keys of the mixed cells only, in cell order (most cells are uniform: 8 bytes each for the rest)
        var keys = oneHot ? new ulong[mixed[nz]] : null;
        if (keys is not null)
            Parallel.For(0, nz, z =>
            {
                int k = mixed[z];
                for (int y = 0; y < ny; y++)
                    for (int x = 0; x < nx; x++)
                        if (slot[(z * ny + y) * nx + x] < 0) keys[k++] = Key(flags, n, (nx, ny, nz), x, y, z);
            });
        var representative = new List<int>(keys is null ? mixed[nz] : 64); // without keys every mixed cell is a row
        var rowOf = new Dictionary<ulong, int>();
        for (int cell = 0, k = 0; cell < n; cell++)
        {
            if (slot[cell] >= 0) continue;
            ulong key = keys is null ? 0 : keys[k++];
            if (keys is not null && rowOf.TryGetValue(key, out int row)) { slot[cell] = row; continue; }
            row = 3 + representative.Count;
            representative.Add(cell);
            if (keys is not null) rowOf[key] = row;
            slot[cell] = row;
        }
        return new StencilRows(slot, representative.ToArray());
    }

    /// <summary>Whether every cell's flags are one of the unit vectors (or all zero): the finest level's images.</summary>
    static bool OneHot(float[] flags)
    {
        foreach (float f in flags) if (f != 0 && f != 1) return false;
        return true;
    }

    /// <summary>The neighbourhood of (x, y, z): per tap 0 outside the grid, else 1 + the channel that is 1.</summary>
    static ulong Key(float[] flags, int n, (int Nx, int Ny, int Nz) g, int x, int y, int z)
    {
        ulong key = 0;
        int shift = 0;
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++, shift += 2)
                {
                    int xx = x + dx, yy = y + dy, zz = z + dz;
                    if (xx < 0 || xx >= g.Nx || yy < 0 || yy >= g.Ny || zz < 0 || zz >= g.Nz) continue;
                    int j = (zz * g.Ny + yy) * g.Nx + xx;
                    ulong code = flags[j] == 1 ? 1UL : flags[n + j] == 1 ? 2UL : flags[2 * n + j] == 1 ? 3UL : 0UL;
                    key |= code << shift;
                }
        return key;
    }

    /// <summary>The channel t if the cell and its 26 neighbours are all exactly one-hot in t, else null.</summary>
    static int? UniformType(float[] flags, int n, int nx, int ny, int cell)
    {
        int t = flags[cell] == 1 ? 0 : flags[n + cell] == 1 ? 1 : flags[2 * n + cell] == 1 ? 2 : -1;
        if (t < 0) return null;
        int plane = nx * ny, offset = t * n;
        for (int dz = -1; dz <= 1; dz++)
            for (int dy = -1; dy <= 1; dy++)
            {
                int row = offset + cell + dz * plane + dy * nx;
                if (flags[row - 1] != 1 || flags[row] != 1 || flags[row + 1] != 1) return null;
            }
        return t;
    }
}
