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

    public static StencilRows Of(float[] flags, (int Nx, int Ny, int Nz) size) => OneHot(flags) ? OfOneHot(flags, size) : OfAveraged(flags, size);

    /// <summary>
    /// One-hot flags: a 54-bit key per cell, built from 18-bit columns (the 3x3 taps in y and z at each x) so each cell
    /// costs three columns instead of 27 lookups; a uniform neighbourhood is the key of 27 equal taps inside the grid.
    /// </summary>
    static StencilRows OfOneHot(float[] flags, (int Nx, int Ny, int Nz) size)
    {
        var (nx, ny, nz) = size;
        int n = nx * ny * nz;
        var code = new byte[n]; // 1 + the channel that is 1, 0 where none is
        for (int i = 0; i < n; i++) code[i] = (byte)(flags[i] == 1 ? 1 : flags[n + i] == 1 ? 2 : flags[2 * n + i] == 1 ? 3 : 0);
        Span<ulong> uniform = stackalloc ulong[StencilDirectionModel.FlagChannels];
        for (int t = 0; t < uniform.Length; t++)
            for (int tap = 0; tap < 27; tap++) uniform[t] |= (ulong)(t + 1) << (2 * tap);
        ulong uniformFluid = uniform[0], uniformAir = uniform[1], uniformSolid = uniform[2];
        var keys = new ulong[n];
        Parallel.For(0, nz, z =>
        {
            var column = new ulong[nx + 2]; // column[x + 1]: the 9 taps at x; 0 past the grid's x edges
            for (int y = 0; y < ny; y++)
            {
                Array.Clear(column);
                for (int dz = -1, shift = 0; dz <= 1; dz++)
                    for (int dy = -1; dy <= 1; dy++, shift += 2)
                    {
                        int yy = y + dy, zz = z + dz;
                        if (yy < 0 || yy >= ny || zz < 0 || zz >= nz) continue;
                        var row = code.AsSpan((zz * ny + yy) * nx, nx);
                        for (int x = 0; x < nx; x++) column[x + 1] |= (ulong)row[x] << shift;
                    }
                var rowKeys = keys.AsSpan((z * ny + y) * nx, nx);
                for (int x = 0; x < nx; x++) rowKeys[x] = column[x] | column[x + 1] << 18 | column[x + 2] << 36;
            }
        });
        var slot = new int[n];
        var representative = new List<int>(64);
        var rowOf = new Dictionary<ulong, int>();
        ulong lastKey = ulong.MaxValue;
        int lastRow = -1;
        for (int cell = 0; cell < n; cell++)
        {
            ulong key = keys[cell];
            if (key == uniformFluid) slot[cell] = 0;
            else if (key == uniformAir) slot[cell] = 1;
            else if (key == uniformSolid) slot[cell] = 2;
            else if (key == lastKey) slot[cell] = lastRow; // runs of equal neighbourhoods along x are common
            else
            {
                if (!rowOf.TryGetValue(key, out int row))
                {
                    row = 3 + representative.Count;
                    representative.Add(cell);
                    rowOf[key] = row;
                }
                (slot[cell], lastKey, lastRow) = (row, key, row);
            }
        }
        return new StencilRows(slot, representative.ToArray());
    }

    /// <summary>Averaged flags: every cell without a uniform neighbourhood has its own row.</summary>
    static StencilRows OfAveraged(float[] flags, (int Nx, int Ny, int Nz) size)
    {
        var (nx, ny, nz) = size;
        int n = nx * ny * nz;
        var slot = new int[n];
        var representative = new List<int>();
        for (int z = 0, cell = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++, cell++)
                {
                    bool inside = x > 0 && x < nx - 1 && y > 0 && y < ny - 1 && z > 0 && z < nz - 1;
                    if (inside && UniformType(flags, n, nx, ny, cell) is int type) slot[cell] = type;
                    else { slot[cell] = 3 + representative.Count; representative.Add(cell); }
                }
        return new StencilRows(slot, representative.ToArray());
    }

    /// <summary>Whether every cell's flags are one of the unit vectors (or all zero): the finest level's images.</summary>
    static bool OneHot(float[] flags)
    {
        foreach (float f in flags) if (f != 0 && f != 1) return false;
        return true;
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
