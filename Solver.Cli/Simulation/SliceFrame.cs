using Dcdm.Poisson;
using ScottPlot;

namespace Dcdm.Cli.Simulation;

/// <summary>A PNG heatmap of one y = const slice of a grid field (x to the right, z up; solid cells blank), drawn with ScottPlot.</summary>
public static class SliceFrame
{
    /// <param name="field">One value per cell of an nx*ny*nz grid, x fastest.</param>
    public static void Write(string path, double[] field, PoissonGrid domain, int y, string title, double? max = null)
    {
        int nx = domain.Nx, ny = domain.Ny, nz = domain.Nz;
        if (field.Length != domain.CellCount) throw new ArgumentException($"{field.Length} values for a {nx} x {ny} x {nz} grid");
        // a heatmap draws row 0 at the top: the top row is the highest z
        var slice = new double[nz, nx];
        for (int z = 0; z < nz; z++)
            for (int x = 0; x < nx; x++)
                slice[nz - 1 - z, x] = domain[x, y, z] == CellType.Solid ? double.NaN : field[domain.Index(x, y, z)];
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(slice);
        heatmap.Colormap = new ScottPlot.Colormaps.Turbo();
        heatmap.ManualRange = new ScottPlot.Range(0, max ?? Math.Max(1e-12, field.Where(double.IsFinite).DefaultIfEmpty(0).Max()));
        plot.Add.ColorBar(heatmap);
        plot.Title(title);
        plot.Axes.SquareUnits();
        plot.HideGrid();
        plot.SavePng(path, 480, 420);
    }
}
