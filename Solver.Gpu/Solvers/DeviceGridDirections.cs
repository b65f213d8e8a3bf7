using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// A grid's unit operator with a model's device direction (<see cref="DeviceDirections"/>) for the device DCDM:
/// vectors on the full grid, the product the stencil kernel on the flags (one byte a cell), the direction masked to
/// the unknowns by the diagonal bytes.
/// </summary>
internal sealed class DeviceGridDirections : IDeviceDirectionSystem
{
    readonly GpuDevice _device;
    readonly PoissonGrid _grid;
    readonly IDeviceDirection _network;
    readonly DeviceVector<byte> _flags, _diagonal;

    /// <exception cref="ArgumentException">The model has no device kernels.</exception>
    public DeviceGridDirections(GpuDevice device, PoissonGrid grid, IDirectionModel model)
    {
        (_device, _grid) = (device, grid);
        Unknowns = ReducedSystem.FromGrid(grid);
        _network = DeviceDirections.Bind(device, grid, model);
        _flags = new DeviceVector<byte>(device.Accelerator, grid.Cells.ToArray().Select(c => (byte)c).ToArray());
        _diagonal = new DeviceVector<byte>(device.Accelerator, grid.Diagonal);
    }

    public int Length => _grid.CellCount;
    public SolveFrame.Layout FrameLayout => SolveFrame.Layout.AllRows;
    public ReducedSystem Unknowns { get; }

    public void Multiply(ArrayView<double> x, ArrayView<double> y) => _device.Kernels.Stencil(_flags.View, _grid.Nx, _grid.Ny, _grid.Nz, x, y);

    public void Direction(ArrayView<float> r, ArrayView<float> q, ArrayView<double> into)
    {
        _network.Apply(r, q);
        _device.NetworkKernels.ToDoubleOnUnknowns(q, _diagonal.View, into);
    }

    public GpuMultigridConjugateGradient Fallback(SolverOptions options) => new(_device, _grid, options, Unknowns);
    public string? NoFallback => null; // a grid's unit operator: the device pcg-mg takes every one
    public int LineAxis => -1; // a grid's unit operator has no flat cells

    public void Upload(double[] host, DeviceVector<double> device) => device.Upload(host);
    public void Download(DeviceVector<double> device, double[] host) => device.Download(host);

    public void Dispose()
    {
        _network.Dispose();
        _flags.Dispose(); _diagonal.Dispose();
    }
}
