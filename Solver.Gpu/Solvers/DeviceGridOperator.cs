using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>A grid's unit operator on the device: one byte per cell, vectors on the full grid, its products fused with their dots.</summary>
internal sealed class DeviceGridOperator(GpuDevice device, PoissonGrid grid) : IDeviceOperator
{
    readonly GpuAggregateMultigrid _multigrid = new(device, grid);
    readonly GridShape _columns = new(grid.Nx, grid.Ny, grid.Nz, Math.Min(GridKernels.DefaultChunk, grid.Nz));

    public int Length => grid.CellCount;
    public int LevelCount => _multigrid.LevelCount;
    public int LineAxis => -1; // a grid's unit operator has no flat cells
    public SolveFrame.Layout FrameLayout => SolveFrame.Layout.AllRows;

    public double Residual(ArrayView<double> b, ArrayView<double> x, ArrayView<float> r, double scale, bool write, ArrayView<double> scalar) =>
        device.GridKernels.Residual(_columns, _multigrid.Diagonal, b, x, r, scale, write, scalar);

    public void MultiplyAndDot(ArrayView<float> p, ArrayView<float> q, ArrayView<double> scalar) =>
        device.MultigridKernels.StencilAndDot(_multigrid.Shape, _multigrid.Diagonal, p, q, scalar);

    public void Precondition(ArrayView<float> r, ArrayView<float> z) => _multigrid.Apply(r, z);

    public void Upload(double[] host, DeviceVector<double> device) => device.Upload(host);

    public void Download(DeviceVector<double> device, double[] host) => device.Download(host);

    public void Dispose() => _multigrid.Dispose();
}
