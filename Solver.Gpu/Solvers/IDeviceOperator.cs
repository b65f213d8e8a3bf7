using Dcdm.Gpu.Devices;
using Dcdm.Solvers;
using ILGPU;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// What the device pcg-mg (<see cref="GpuMultigridConjugateGradient"/>) runs on: the operator's products in float32
/// and double, its K-cycle, and how the solve frame's vectors map to the device's.
/// </summary>
internal interface IDeviceOperator : IDisposable
{
    /// <summary>Entries of a device vector.</summary>
    int Length { get; }
    /// <summary>The K-cycle's levels, the operator's own included.</summary>
    int LevelCount { get; }
    /// <summary>The axis whose lines the K-cycle relaxes (flat cells); -1: points.</summary>
    int LineAxis { get; }
    /// <summary>What the frame's b and x hold: every cell, or the unknowns.</summary>
    SolveFrame.Layout FrameLayout { get; }

    /// <summary>||b - A x|| in double; with <paramref name="write"/>, r = scale (b - A x) in float32 too.</summary>
    double Residual(ArrayView<double> b, ArrayView<double> x, ArrayView<float> r, double scale, bool write, ArrayView<double> scalar);
    /// <summary>q = A p in float32; scalar += p.q.</summary>
    void MultiplyAndDot(ArrayView<float> p, ArrayView<float> q, ArrayView<double> scalar);
    /// <summary>z = K(r), one K-cycle.</summary>
    void Precondition(ArrayView<float> r, ArrayView<float> z);
    /// <summary>A frame vector onto the device, and back.</summary>
    void Upload(double[] host, DeviceVector<double> device);
    void Download(DeviceVector<double> device, double[] host);
}
