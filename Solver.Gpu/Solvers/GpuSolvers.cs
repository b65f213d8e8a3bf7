using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Models;
using Dcdm.Solvers;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// What an accelerator offers the <see cref="SolverCatalog"/>: a voxel matrix with its grid gets the matrix-free
/// grid CG (cg), multigrid-preconditioned CG (pcg-mg) or DCDM on the device (dcdm, stencil network); a voxel operator with
/// per-face coefficients pcg-mg; other matrices the CSR CG or Jacobi-PCG in double.
/// IC(0) has no device form. The device is borrowed: its owner disposes it after the solvers.
/// </summary>
public sealed class GpuSolvers(GpuDevice device) : IDeviceSolvers
{
    /// <summary>
    /// The catalog for this machine: over its GPU when it has one (returned in <paramref name="gpu"/>, for the caller
    /// to dispose after the solvers), else the CPU's; never ILGPU's CPU emulator.
    /// </summary>
    public static SolverCatalog ForThisMachine(out GpuDevice? gpu)
    {
        gpu = GpuDevice.TryOpenGpu();
        return new SolverCatalog(gpu is null ? null : new GpuSolvers(gpu));
    }

    public string Name => device.Name;

    public ILinearSolver? Create(SolveMethod method, SolverInput input, SolverOptions options, IDirectionModel? model, int previousDirections, out string reason)
    {
        reason = "";
        switch (method)
        {
            case SolveMethod.PcgIc0:
                reason = "IC(0) runs on the CPU only (sequential triangular solves); use cg or pcg-jacobi on the device";
                return null;
            case SolveMethod.PcgMg when input.Operator is { } op:
                return new GpuMultigridConjugateGradient(device, op, options); // the same, on the operator's cells as a CSR level
            case SolveMethod.PcgMg:
                return new GpuMultigridConjugateGradient(device, input.Grid!, options); // float32 K-cycle on aggregates, double reliable updates
            case SolveMethod.Dcdm when input.Operator is not null:
                reason = "DCDM on a voxel operator with per-face coefficients runs on the CPU only so far; pcg-mg runs on the device";
                return null;
            case SolveMethod.Dcdm when model is null || !DeviceDirections.Supports(model):
                reason = $"only the {DeviceDirections.Names} models have device kernels ({model?.Description ?? "no model"}); run it on the CPU";
                return null;
            case SolveMethod.Dcdm:
                return new GpuDeepConjugateDirections(device, input.Grid!, model!, options, previousDirections);
            case SolveMethod.Cg when input.Grid is not null && input.Operator is null && input.Matrix.Rows > 1:
                return new GpuGridConjugateGradient(device, input.Grid, options); // one byte of operator per cell, float32 steps
            default:
                return new GpuConjugateGradient(device, input.Matrix, method == SolveMethod.PcgJacobi ? PreconditionerKind.Jacobi : PreconditionerKind.None, options);
        }
    }
}
