using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Poisson;

/// <summary>
/// The unknowns of a voxel Poisson system on the full grid, found without assembling a matrix: fluid
/// cells with at least one open neighbour (an isolated fluid cell is a zero row), their connected
/// components, and which components touch no air. Those are closed pockets whose operator has the
/// constants in its null space: b is made compatible by removing its mean there, x gets zero mean there.
/// The grid counterpart of <see cref="ReducedSystem"/> for matrix-free solvers.
/// </summary>
public sealed class FluidComponents
{
    /// <summary>Per cell: its diagonal (open neighbours) when it is an unknown, else 0.</summary>
    public byte[] Diagonal { get; }
    public int Unknowns { get; }
    public int ComponentCount { get; }
    /// <summary>Cell indices of each component that touches no air.</summary>
    public IReadOnlyList<int[]> SingularComponents { get; }

    public FluidComponents(PoissonGrid grid)
    {
        int nx = grid.Nx, ny = grid.Ny, nz = grid.Nz;
        Diagonal = new byte[grid.CellCount];
        for (int z = 0; z < nz; z++)
            for (int y = 0; y < ny; y++)
                for (int x = 0; x < nx; x++)
                    if (grid[x, y, z] == CellType.Fluid) Diagonal[grid.Index(x, y, z)] = (byte)grid.OpenNeighbours(x, y, z);

        var component = new int[grid.CellCount];
        Array.Fill(component, -1);
        var singular = new List<int[]>();
        var members = new List<int>();
        var stack = new Stack<int>();
        var cells = grid.Cells.ToArray();
        int count = 0, unknowns = 0;
        for (int s = 0; s < component.Length; s++)
        {
            if (Diagonal[s] == 0 || component[s] >= 0) continue;
            bool touchesAir = false;
            members.Clear();
            component[s] = count;
            stack.Push(s);
            while (stack.Count > 0)
            {
                int i = stack.Pop();
                members.Add(i);
                int x = i % nx, y = i / nx % ny, z = i / (nx * ny);
                // a fluid cell's row sum is its number of air neighbours
                void Visit(bool inside, int j)
                {
                    if (!inside) return;
                    if (cells[j] == CellType.Air) touchesAir = true;
                    else if (cells[j] == CellType.Fluid && component[j] < 0) { component[j] = count; stack.Push(j); }
                }
                Visit(x > 0, i - 1); Visit(x < nx - 1, i + 1);
                Visit(y > 0, i - nx); Visit(y < ny - 1, i + nx);
                Visit(z > 0, i - nx * ny); Visit(z < nz - 1, i + nx * ny);
            }
            unknowns += members.Count;
            if (!touchesAir) singular.Add(members.ToArray());
            count++;
        }
        Unknowns = unknowns;
        ComponentCount = count;
        SingularComponents = singular;
    }

    /// <summary>
    /// Copies b onto the unknowns (0 elsewhere) and projects it onto the range of A. Returns what was
    /// removed (null when nothing could be) and the norm of the prepared b.
    /// </summary>
    public (RangeProjection? projection, double norm) PrepareRightHandSide(ReadOnlySpan<double> b, Span<double> prepared)
    {
        if (b.Length != Diagonal.Length || prepared.Length != Diagonal.Length)
            throw new ArgumentException($"b must have {Diagonal.Length} entries (one per grid cell), got {b.Length}");
        double originalSq = VectorOps.Dot(b, b), keptSq = 0;
        for (int i = 0; i < b.Length; i++)
        {
            prepared[i] = Diagonal[i] > 0 ? b[i] : 0;
            keptSq += prepared[i] * prepared[i];
        }
        double removedSq = Math.Max(0, originalSq - keptSq) + RemoveNullSpace(prepared);
        var projection = removedSq > 0 || SingularComponents.Count > 0
            ? new RangeProjection(SingularComponents.Count, Math.Sqrt(removedSq), Math.Sqrt(originalSq))
            : null;
        return (projection, VectorOps.Norm2(prepared));
    }

    /// <summary>Sets v to 0 off the unknowns (the solver's invariant for an initial guess).</summary>
    public void MaskToUnknowns(Span<double> v)
    {
        for (int i = 0; i < v.Length; i++) if (Diagonal[i] == 0) v[i] = 0;
    }

    /// <summary>Removes the mean of v on every singular component; returns the squared norm removed.</summary>
    public double RemoveNullSpace(Span<double> v) => ConstantNullSpace.RemoveMeans(SingularComponents, v);
}
