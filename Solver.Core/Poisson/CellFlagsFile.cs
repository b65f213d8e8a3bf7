using System.Text;

namespace Dcdm.Poisson;

/// <summary>
/// The cell flags file that <c>dcdm generate</c> writes beside a matrix: one text line "dcdm-flags nx ny nz",
/// then one byte per cell in grid order, x fastest (0 solid, 1 fluid, 2 air).
/// </summary>
public static class CellFlagsFile
{
    /// <summary>
    /// Writes the flags file: one text line "dcdm-flags nx ny nz", then one byte per cell in grid
    /// order (0 solid, 1 fluid, 2 air).
    /// </summary>
    public static void Write(PoissonGrid grid, string path)
    {
        using var f = File.Create(path);
        f.Write(Encoding.ASCII.GetBytes($"dcdm-flags {grid.Nx} {grid.Ny} {grid.Nz}\n"));
        f.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(grid.Cells));
    }

    /// <summary>Reads a flags file written by <see cref="Write"/>.</summary>
    public static PoissonGrid Read(string path)
    {
        byte[] data = File.ReadAllBytes(path);
        int nl = Array.IndexOf(data, (byte)'\n');
        string header = nl > 0 ? Encoding.ASCII.GetString(data, 0, Math.Min(nl, 200)) : "";
        var parts = header.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 4 || parts[0] != "dcdm-flags"
            || !int.TryParse(parts[1], out int nx) || !int.TryParse(parts[2], out int ny) || !int.TryParse(parts[3], out int nz) || nx < 1 || ny < 1 || nz < 1)
            throw new InvalidDataException($"{path}:1: expected the header 'dcdm-flags nx ny nz', found '{header}'");
        long count = (long)nx * ny * nz;
        if (data.Length - nl - 1 != count)
            throw new InvalidDataException($"{path}: expected {count} cell bytes after the header for a {nx} x {ny} x {nz} grid, found {data.Length - nl - 1}");
        var cells = new CellType[count];
        for (long i = 0; i < count; i++)
        {
            byte b = data[nl + 1 + i];
            if (b > 2) throw new InvalidDataException($"{path}: cell {i} has flag {b}; expected 0 (solid), 1 (fluid) or 2 (air)");
            cells[i] = (CellType)b;
        }
        return new PoissonGrid(nx, ny, nz, cells);
    }
}
