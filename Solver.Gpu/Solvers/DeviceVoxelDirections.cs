using Dcdm.Gpu.Devices;
using Dcdm.Multigrid;
using Dcdm.Poisson;
using Dcdm.Solvers;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// A voxel operator with per-face coefficients for the device DCDM: its K-cycle as the direction (the classical
/// <see cref="Dcdm.Models.KCycleDirectionModel"/>, as the CPU's DCDM takes on such an operator), vectors on the rows of
/// the cycle's first level (<see cref="DeviceVoxelOperator"/>: every row an unknown), the product that level's CSR in
/// double.
/// </summary>
internal sealed class DeviceVoxelDirections : IDeviceDirectionSystem
{
    readonly GpuDevice _device;
    readonly DeviceVoxelOperator _operator;

    /// <param name="sweeps">The cycle's sweeps before and after each coarse correction on the cells (the coarse levels:
    /// <see cref="AggregateMultigrid.CoarseSweepsOnFaces"/>).</param>
    /// <exception cref="InvalidSystemException">The diagonals lie outside what the float32 cycle holds
    /// (<see cref="GpuMultigridConjugateGradient.FloatCycleRefusal"/>, from <see cref="DeviceVoxelOperator"/>).</exception>
    public DeviceVoxelDirections(GpuDevice device, VoxelOperator op, int sweeps)
    {
        _device = device;
        Unknowns = DeviceVoxelOperator.UnknownsOf(op);
        _operator = new DeviceVoxelOperator(device, op, Unknowns, sweeps);
        NoFallback = GpuMultigridConjugateGradient.FloatStepsRefusal(CellLevel.Faces(op));
    }

    /// <summary>Past a face contrast of 10^6 the device pcg-mg's float32 steps break down (a negative p.Ap at 10^8):
    /// a stalled solve then ends as a breakdown that says so, instead of in that pcg-mg's.</summary>
    public string? NoFallback { get; }

    public int Length => _operator.Length;
    public int LineAxis => _operator.LineAxis;
    public SolveFrame.Layout FrameLayout => _operator.FrameLayout;
    public ReducedSystem Unknowns { get; }

    public void Multiply(ArrayView<double> x, ArrayView<double> y) => _operator.Multiply(x, y);

    /// <summary>q = K(r), one K-cycle on the first level's rows, widened to double (every row is an unknown: 12 bytes a row).</summary>
    public void Direction(ArrayView<float> r, ArrayView<float> q, ArrayView<double> into)
    {
        _operator.Precondition(r, q);
        _device.NetworkKernels.ToDouble(q, into);
    }

    /// <summary>pcg-mg on this operator's device copy (its rows, cycle and products), not on the caller's face arrays,
    /// which may have changed since the set-up.</summary>
    public GpuMultigridConjugateGradient Fallback(SolverOptions options) => new(_device, _operator, Unknowns, options);

    public void Upload(double[] host, DeviceVector<double> device) => _operator.Upload(host, device);
    public void Download(DeviceVector<double> device, double[] host) => _operator.Download(device, host);

    public void Dispose() => _operator.Dispose();
}
