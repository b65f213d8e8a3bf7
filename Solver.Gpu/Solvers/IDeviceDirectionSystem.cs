using Dcdm.Gpu.Devices;
using Dcdm.Solvers;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// What the device DCDM (<see cref="GpuDeepConjugateDirections"/>) runs on: the operator's product in double, the
/// direction q = f(r) on the same rows, the device pcg-mg that finishes a stalled solve, and how the solve frame's
/// vectors map to the device's. A grid with a model's device direction (<see cref="DeviceGridDirections"/>) and a
/// voxel operator with its K-cycle (<see cref="DeviceVoxelDirections"/>) implement it.
/// </summary>
internal interface IDeviceDirectionSystem : IDisposable
{
    /// <summary>Entries of a device vector.</summary>
    int Length { get; }
    /// <summary>What the frame's b and x hold: every cell, or the unknowns.</summary>
    SolveFrame.Layout FrameLayout { get; }
    /// <summary>The unknowns the frame's vectors belong to.</summary>
    ReducedSystem Unknowns { get; }

    /// <summary>y = A x in double.</summary>
    void Multiply(ArrayView<double> x, ArrayView<double> y);
    /// <summary>into = f(r) in double on the unknowns (0 elsewhere); r in float32 at unit scale, q float32 work space.</summary>
    void Direction(ArrayView<float> r, ArrayView<float> q, ArrayView<double> into);
    /// <summary>The device pcg-mg on the same system, for a stalled solve's rest (made at the first stall).</summary>
    GpuMultigridConjugateGradient Fallback(SolverOptions options);
    /// <summary>The axis whose lines the direction's K-cycle relaxes (flat cells); -1: points or no K-cycle.</summary>
    int LineAxis { get; }
    /// <summary>Why the system has no fallback (the device pcg-mg cannot take it); null where <see cref="Fallback"/> serves.</summary>
    string? NoFallback { get; }

    /// <summary>A frame vector onto the device, and back.</summary>
    void Upload(double[] host, DeviceVector<double> device);
    void Download(DeviceVector<double> device, double[] host);
}
