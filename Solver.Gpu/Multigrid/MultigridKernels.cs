using Dcdm.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Multigrid;

/// <summary>
/// The kernels of the device multigrid V-cycle (<see cref="GpuMultigrid"/>) and of the CG it preconditions, on the
/// full grid of a level, float32, one thread per cell (any nx: no padding, so the hierarchy is the CPU's). As in
/// the tests' LevelOps, a level's operator is one byte per cell (the diagonal of an unknown, 0 elsewhere) times the
/// level's scale, and every vector is 0 off the unknowns, so (A x)_i = s (d_i x_i - sum of the 6 neighbours' x)
/// needs no flag tests. Plain C# references: Core's GeometricGrids (coarsening), CellDiagonal, the tests' LevelOps and
/// PoissonGrid.Apply; the tests compare each kernel with them on the CPU accelerator.
/// </summary>
public sealed class MultigridKernels
{
    /// <summary>A coarsest level of at most this many cells (2^14 unless set) is smoothed by one group in one launch
    /// (its barriers order the colours); a larger one (coarsening stopped early) by one launch per colour.</summary>
    public int CoarsestInOneGroup { get; set; } = 1 << 14;

    readonly int _groupSize, _maxGroups;
    readonly Action<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<byte>> _coarsen;
    readonly Action<Index1D, LevelShape, ArrayView<byte>, ArrayView<byte>> _diagonal;
    readonly Action<Index1D, ArrayView<byte>, ArrayView<int>> _anyUnknown;
    readonly Action<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, GaussSeidelWeight, int, float> _colour;
    readonly Action<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ConstantWeight, int, float> _constant;
    readonly Action<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, CellWeights, int, float> _sor;
    readonly Action<KernelConfig, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, float, int> _coarsest;
    readonly Action<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float> _residual;
    readonly Action<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<byte>, ArrayView<float>> _restrict;
    readonly Action<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>> _prolong;
    readonly Action<KernelConfig, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<double>> _stencilDot;
    readonly Action<KernelConfig, float, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>> _update;
    readonly Action<Index1D, ArrayView<float>, float, ArrayView<float>> _xpay;

    internal MultigridKernels(Accelerator accelerator)
    {
        _groupSize = Math.Min(256, accelerator.MaxNumThreadsPerGroup);
        _maxGroups = Math.Max(1, accelerator.NumMultiprocessors * Math.Max(1, accelerator.MaxNumThreadsPerMultiprocessor / _groupSize));
        _coarsen = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<byte>>(CoarsenKernel);
        _diagonal = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, ArrayView<byte>, ArrayView<byte>>(DiagonalKernel);
        _anyUnknown = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<byte>, ArrayView<int>>(AnyUnknownKernel);
        _colour = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, GaussSeidelWeight, int, float>(
            RelaxColourKernel);
        _constant = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ConstantWeight, int, float>(
            RelaxColourKernel);
        _sor = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, CellWeights, int, float>(
            RelaxColourKernel);
        _coarsest = accelerator.LoadStreamKernel<LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, float, int>(CoarsestSweepsKernel);
        _residual = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<float>, float>(ResidualKernel);
        _restrict = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<byte>, ArrayView<float>>(RestrictKernel);
        _prolong = accelerator.LoadAutoGroupedStreamKernel<Index1D, LevelShape, LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>>(ProlongAddKernel);
        _stencilDot = accelerator.LoadStreamKernel<LevelShape, ArrayView<byte>, ArrayView<float>, ArrayView<float>, ArrayView<double>>(StencilAndDotKernel);
        _update = accelerator.LoadStreamKernel<float, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<double>>(UpdateCorrectionAndResidualKernel);
        _xpay = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, float, ArrayView<float>>(XpayKernel);
    }

    // ---- launchers: set-up ------------------------------------------------------------------

    /// <summary>coarse flags from the fine ones: per 2x2x2 block air if any cell is air, else fluid if any is, else solid.</summary>
    public void Coarsen(LevelShape fine, ArrayView<byte> fineFlags, ArrayView<byte> coarseFlags) =>
        _coarsen(fine.Coarser.Cells, fine, fine.Coarser, fineFlags, coarseFlags);

    /// <summary>diagonal_i = open (non-solid, inside the grid) neighbours of a fluid cell, 0 elsewhere (an isolated fluid cell too).</summary>
    public void Diagonal(LevelShape s, ArrayView<byte> flags, ArrayView<byte> diagonal) => _diagonal(s.Cells, s, flags, diagonal);

    /// <summary>any[0] = 1 when some diagonal byte is nonzero (any[0] zeroed by the caller; left as is otherwise).</summary>
    public void AnyUnknown(ArrayView<byte> diagonal, ArrayView<int> any) => _anyUnknown((int)diagonal.Length, diagonal, any);

    // ---- launchers: the cycle ---------------------------------------------------------------

    /// <summary>Gauss-Seidel on the cells of one colour ((x + y + z) % 2 == colour), in place: x_i = (b_i / s + sum of the neighbours' x) / d_i.</summary>
    public void GaussSeidelColour(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> b, ArrayView<float> x, int colour, float scale) =>
        _colour(s.HalfRow * s.Ny * s.Nz, s, diagonal, b, x, default, colour, 1 / scale);

    /// <summary>SOR on the cells of one colour with one weight for all (no weight array read): x_i += w (x_GS,i - x_i).</summary>
    public void SorColour(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> b, ArrayView<float> x, float weight, int colour, float scale) =>
        _constant(s.HalfRow * s.Ny * s.Nz, s, diagonal, b, x, new ConstantWeight(weight), colour, 1 / scale);

    /// <summary>
    /// Successive over-relaxation on the cells of one colour, in place: x_i += w_i (x_GS,i - x_i) with x_GS the
    /// Gauss-Seidel value; w per cell (the vcycle model's learned weights, in (0, 2)).
    /// </summary>
    public void SorColour(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> b, ArrayView<float> x, ArrayView<float> weight, int colour, float scale) =>
        _sor(s.HalfRow * s.Ny * s.Nz, s, diagonal, b, x, new CellWeights(weight), colour, 1 / scale);

    /// <summary>x = 0, then <paramref name="colourSweeps"/> colour sweeps alternating from colour 0 (the coarsest level's symmetric sweeps).</summary>
    public void CoarsestSweeps(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> b, ArrayView<float> x, float scale, int colourSweeps)
    {
        if (s.Cells <= CoarsestInOneGroup)
        {
            _coarsest(new KernelConfig(1, _groupSize), s, diagonal, b, x, 1 / scale, colourSweeps);
            return;
        }
        x.MemSetToZero();
        for (int sweep = 0; sweep < colourSweeps; sweep++) GaussSeidelColour(s, diagonal, b, x, sweep & 1, scale);
    }

    /// <summary>r = b - s A x on the unknowns, 0 elsewhere.</summary>
    public void Residual(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> b, ArrayView<float> x, ArrayView<float> r, float scale) =>
        _residual(s.Cells, s, diagonal, b, x, r, scale);

    /// <summary>coarse b = R fine r with R = P^T / 8 (full weighting), on the coarse unknowns (0 elsewhere), reading the fine unknowns only.</summary>
    public void Restrict(LevelShape fine, ArrayView<byte> fineDiagonal, ArrayView<float> fineR, ArrayView<byte> coarseDiagonal, ArrayView<float> coarseB) =>
        _restrict(fine.Coarser.Cells, fine, fine.Coarser, fineDiagonal, fineR, coarseDiagonal, coarseB);

    /// <summary>fine x += P coarse x on the fine unknowns: trilinear from the 8 nearest coarse cells.</summary>
    public void ProlongAdd(LevelShape fine, ArrayView<byte> fineDiagonal, ArrayView<float> coarseX, ArrayView<float> fineX) =>
        _prolong(fine.Cells, fine, fine.Coarser, fineDiagonal, coarseX, fineX);

    // ---- launchers: the preconditioned CG's steps ----------------------------------------------

    /// <summary>q = A p (float32, the unscaled operator); result[0] += p.q in double (zeroed by the caller).</summary>
    public void StencilAndDot(LevelShape s, ArrayView<byte> diagonal, ArrayView<float> p, ArrayView<float> q, ArrayView<double> result) =>
        _stencilDot(ReductionConfig(s.Cells), s, diagonal, p, q, result);

    /// <summary>d += alpha p; r -= alpha q; result[0] += r.r in double (zeroed by the caller).</summary>
    public void UpdateCorrectionAndResidual(float alpha, ArrayView<float> p, ArrayView<float> q, ArrayView<float> d, ArrayView<float> r, ArrayView<double> result) =>
        _update(ReductionConfig(p.Length), alpha, p, q, d, r, result);

    /// <summary>p = z + beta p.</summary>
    public void Xpay(ArrayView<float> z, float beta, ArrayView<float> p) => _xpay((int)z.Length, z, beta, p);

    KernelConfig ReductionConfig(long items)
    {
        int groups = (int)Math.Clamp((items + _groupSize - 1) / _groupSize, 1, _maxGroups);
        return new KernelConfig(groups, _groupSize, SharedMemoryConfig.RequestDynamic<double>(_groupSize));
    }

    // ---- kernels ----------------------------------------------------------------------------

    /// <summary>Coarse cell c: air when a cell of its 2x2x2 fine block is air (0 solid, 1 fluid, 2 air), else fluid when one is, else solid.</summary>
    static void CoarsenKernel(Index1D c, LevelShape fine, LevelShape coarse, ArrayView<byte> fineFlags, ArrayView<byte> coarseFlags)
    {
        int x = c % coarse.Nx, y = c / coarse.Nx % coarse.Ny, z = c / (coarse.Nx * coarse.Ny);
        bool air = false, fluid = false;
        for (int fz = 2 * z; fz < 2 * z + 2 && fz < fine.Nz; fz++)
            for (int fy = 2 * y; fy < 2 * y + 2 && fy < fine.Ny; fy++)
                for (int fx = 2 * x; fx < 2 * x + 2 && fx < fine.Nx; fx++)
                {
                    int t = fineFlags[(fz * fine.Ny + fy) * fine.Nx + fx];
                    air |= t == 2;
                    fluid |= t == 1;
                }
        coarseFlags[c] = (byte)(air ? 2 : fluid ? 1 : 0);
    }

    /// <summary>d_i = open neighbours of a fluid cell i (cells outside the grid count as solid), 0 off the fluid cells.</summary>
    static void DiagonalKernel(Index1D i, LevelShape s, ArrayView<byte> flags, ArrayView<byte> diagonal)
    {
        if (flags[i] != 1) { diagonal[i] = 0; return; }
        int x = i % s.Nx, y = i / s.Nx % s.Ny, z = i / (s.Nx * s.Ny), plane = s.Nx * s.Ny, open = 0;
        if (x > 0 && flags[i - 1] != 0) open++;
        if (x < s.Nx - 1 && flags[i + 1] != 0) open++;
        if (y > 0 && flags[i - s.Nx] != 0) open++;
        if (y < s.Ny - 1 && flags[i + s.Nx] != 0) open++;
        if (z > 0 && flags[i - plane] != 0) open++;
        if (z < s.Nz - 1 && flags[i + plane] != 0) open++;
        diagonal[i] = (byte)open;
    }

    /// <summary>any[0] = 1 where d_i != 0 (every writer writes the same value).</summary>
    static void AnyUnknownKernel(Index1D i, ArrayView<byte> diagonal, ArrayView<int> any)
    {
        if (diagonal[i] != 0) any[0] = 1;
    }

    /// <summary>Sum of the 6 neighbours' v of cell (x, y, z) at index i; outside the grid counts 0.</summary>
    static float Neighbours(ArrayView<float> v, int i, int x, int y, int z, LevelShape s)
    {
        int plane = s.Nx * s.Ny;
        float sum = 0;
        if (x > 0) sum += v[i - 1];
        if (x < s.Nx - 1) sum += v[i + 1];
        if (y > 0) sum += v[i - s.Nx];
        if (y < s.Ny - 1) sum += v[i + s.Nx];
        if (z > 0) sum += v[i - plane];
        if (z < s.Nz - 1) sum += v[i + plane];
        return sum;
    }

    /// <summary>Item t of a colour sweep: its cell index, or -1 past the row's end; t walks HalfRow cells per row.</summary>
    static int ColourCell(int t, LevelShape s, int colour, out int x, out int y, out int z)
    {
        int half = s.HalfRow, row = t / half;
        y = row % s.Ny;
        z = row / s.Ny;
        x = 2 * (t - row * half) + ((colour + y + z) & 1);
        return x < s.Nx ? row * s.Nx + x : -1;
    }

    /// <summary>The Gauss-Seidel value of cell i (an unknown of diagonal d): (b_i / s + sum of the neighbours' x) / d.</summary>
    static float Relaxed(ArrayView<float> b, ArrayView<float> x, int i, int d, int cx, int cy, int cz, LevelShape s, float inverseScale) =>
        (b[i] * inverseScale + Neighbours(x, i, cx, cy, cz, s)) / d;

    /// <summary>The one colour sweep: x_i = blend(x_i, x_GS,i) on the unknowns of one colour ((x + y + z) % 2), the weight policy's blend.</summary>
    static void RelaxColourKernel<TWeight>(Index1D t, LevelShape s, ArrayView<byte> diag, ArrayView<float> b, ArrayView<float> x, TWeight weight, int colour,
        float inverseScale) where TWeight : struct, IRelaxationWeight => Relax(t, s, diag, b, x, weight, colour, inverseScale);

    /// <summary>Colour cell t's relaxation, shared by the sweep kernel and the coarsest level's group kernel.</summary>
    static void Relax<TWeight>(int t, LevelShape s, ArrayView<byte> diag, ArrayView<float> b, ArrayView<float> x, TWeight weight, int colour, float inverseScale)
        where TWeight : struct, IRelaxationWeight
    {
        int i = ColourCell(t, s, colour, out int cx, out int cy, out int cz);
        if (i < 0) return;
        int d = diag[i];
        if (d != 0) x[i] = weight.Blend(i, x[i], Relaxed(b, x, i, d, cx, cy, cz, s, inverseScale));
    }

    /// <summary>
    /// The coarsest level in one group: x = 0, then colour sweeps alternating from colour 0, a barrier between two.
    /// The CPU's sweeps (red, black, then black, red, as many times) are these: a colour swept twice in a row changes nothing.
    /// </summary>
    static void CoarsestSweepsKernel(LevelShape s, ArrayView<byte> diag, ArrayView<float> b, ArrayView<float> x, float inverseScale, int colourSweeps)
    {
        for (int i = Group.IdxX; i < s.Cells; i += Group.DimX) x[i] = 0;
        Group.Barrier();
        int items = s.HalfRow * s.Ny * s.Nz;
        for (int sweep = 0; sweep < colourSweeps; sweep++)
        {
            for (int t = Group.IdxX; t < items; t += Group.DimX) Relax(t, s, diag, b, x, default(GaussSeidelWeight), sweep & 1, inverseScale);
            Group.Barrier();
        }
    }

    /// <summary>r_i = b_i - s (d_i x_i - sum of the neighbours' x) on the unknowns, 0 elsewhere.</summary>
    static void ResidualKernel(Index1D i, LevelShape s, ArrayView<byte> diag, ArrayView<float> b, ArrayView<float> x, ArrayView<float> r, float scale)
    {
        int d = diag[i];
        if (d == 0) { r[i] = 0; return; }
        int cx = i % s.Nx, cy = i / s.Nx % s.Ny, cz = i / (s.Nx * s.Ny);
        r[i] = b[i] - scale * (d * x[i] - Neighbours(x, i, cx, cy, cz, s));
    }

    /// <summary>
    /// The trilinear weight along one axis of fine index f onto coarse index j: the fine cells 2j-1 .. 2j+2 read j
    /// with 1/4, 3/4, 3/4, 1/4 (the tests' LevelOps.Coarse, transposed); the callers keep f inside the fine grid.
    /// </summary>
    static float Weight(int f, int j) => f == 2 * j || f == 2 * j + 1 ? 0.75f : 0.25f;

    /// <summary>b_c = sum over the fine unknowns f of P[f, c] r_f / 8 on the coarse unknowns c (0 elsewhere): R = P^T / 8.</summary>
    static void RestrictKernel(Index1D c, LevelShape fine, LevelShape coarse, ArrayView<byte> fineDiag, ArrayView<float> fineR, ArrayView<byte> coarseDiag, ArrayView<float> coarseB)
    {
        if (coarseDiag[c] == 0) { coarseB[c] = 0; return; }
        int x = c % coarse.Nx, y = c / coarse.Nx % coarse.Ny, z = c / (coarse.Nx * coarse.Ny);
        float sum = 0;
        for (int fz = Math.Max(0, 2 * z - 1); fz <= 2 * z + 2 && fz < fine.Nz; fz++)
        {
            float wz = Weight(fz, z);
            for (int fy = Math.Max(0, 2 * y - 1); fy <= 2 * y + 2 && fy < fine.Ny; fy++)
            {
                float wzy = wz * Weight(fy, y);
                int row = (fz * fine.Ny + fy) * fine.Nx;
                for (int fx = Math.Max(0, 2 * x - 1); fx <= 2 * x + 2 && fx < fine.Nx; fx++)
                    if (fineDiag[row + fx] != 0) sum += wzy * Weight(fx, x) * fineR[row + fx];
            }
        }
        coarseB[c] = sum / 8;
    }

    /// <summary>The coarse neighbour on fine index f's side (f even: the one before f / 2, odd: after), or -1 past the coarse grid.</summary>
    static int Far(int f, int nc)
    {
        int far = (f & 1) == 0 ? f / 2 - 1 : f / 2 + 1;
        return far >= 0 && far < nc ? far : -1;
    }

    /// <summary>3/4 e[z, y, x0] + 1/4 e[z, y, x1] (no x1 term past the grid).</summary>
    static float Line(ArrayView<float> e, int z, int y, int x0, int x1, LevelShape c) =>
        0.75f * e[(z * c.Ny + y) * c.Nx + x0] + (x1 >= 0 ? 0.25f * e[(z * c.Ny + y) * c.Nx + x1] : 0f);

    /// <summary>x_i += (P e)_i on the fine unknowns: per axis 3/4 from the coarse cell holding i, 1/4 from the one on its side.</summary>
    static void ProlongAddKernel(Index1D i, LevelShape fine, LevelShape coarse, ArrayView<byte> fineDiag, ArrayView<float> e, ArrayView<float> x)
    {
        if (fineDiag[i] == 0) return;
        int fx = i % fine.Nx, fy = i / fine.Nx % fine.Ny, fz = i / (fine.Nx * fine.Ny);
        int x0 = fx / 2, x1 = Far(fx, coarse.Nx), y0 = fy / 2, y1 = Far(fy, coarse.Ny), z0 = fz / 2, z1 = Far(fz, coarse.Nz);
        float v = 0.75f * (0.75f * Line(e, z0, y0, x0, x1, coarse) + (y1 >= 0 ? 0.25f * Line(e, z0, y1, x0, x1, coarse) : 0f));
        if (z1 >= 0) v += 0.25f * (0.75f * Line(e, z1, y0, x0, x1, coarse) + (y1 >= 0 ? 0.25f * Line(e, z1, y1, x0, x1, coarse) : 0f));
        x[i] += v;
    }

    /// <summary>q_i = d_i p_i - sum of the neighbours' p on the unknowns (0 elsewhere); result += p.q in double. Grid-stride; 9 bytes per cell.</summary>
    static void StencilAndDotKernel(LevelShape s, ArrayView<byte> diag, ArrayView<float> p, ArrayView<float> q, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX, cells = s.Cells;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < cells; i += stride)
        {
            int d = diag[i];
            float qi = 0;
            if (d != 0)
            {
                int cx = i % s.Nx, cy = i / s.Nx % s.Ny, cz = i / (s.Nx * s.Ny);
                qi = d * p[i] - Neighbours(p, i, cx, cy, cz, s);
                sum += (double)p[i] * qi;
            }
            q[i] = qi;
        }
        GroupReduction.SumToResult(sum, result);
    }

    /// <summary>d_i += alpha p_i; r_i -= alpha q_i; result += r.r in double. 20 bytes per cell.</summary>
    static void UpdateCorrectionAndResidualKernel(float alpha, ArrayView<float> p, ArrayView<float> q, ArrayView<float> d, ArrayView<float> r, ArrayView<double> result)
    {
        int stride = Grid.DimX * Group.DimX;
        double sum = 0;
        for (int i = Grid.GlobalIndex.X; i < p.Length; i += stride)
        {
            d[i] += alpha * p[i];
            float ri = r[i] - alpha * q[i];
            r[i] = ri;
            sum += (double)ri * ri;
        }
        GroupReduction.SumToResult(sum, result);
    }

    /// <summary>p_i = z_i + beta p_i.</summary>
    static void XpayKernel(Index1D i, ArrayView<float> z, float beta, ArrayView<float> p) => p[i] = z[i] + beta * p[i];
}
