using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Preconditioners;
using Dcdm.Solvers;
using Dcdm.Sparse;

namespace Dcdm.Gpu.Solvers;

/// <summary>
/// The solvers an ILGPU accelerator has, for the <see cref="SolverCatalog"/>, whose method table picks one per method
/// and input: the matrix-free grid CG, multigrid-preconditioned CG on a grid or a voxel operator, DCDM with a model's
/// device direction on a grid or the K-cycle on a voxel operator, and the CSR CG or Jacobi-PCG in double for other matrices. The device is borrowed: its owner
/// disposes it after the solvers.
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

    public ILinearSolver ConjugateGradient(CsrMatrix matrix, PreconditionerKind preconditioner, SolverOptions options) =>
        new GpuConjugateGradient(device, matrix, preconditioner, options);

    public ILinearSolver GridConjugateGradient(PoissonGrid grid, SolverOptions options) => new GpuGridConjugateGradient(device, grid, options);

    public ILinearSolver MultigridConjugateGradient(PoissonGrid grid, SolverOptions options) => new GpuMultigridConjugateGradient(device, grid, options);

    public ILinearSolver MultigridConjugateGradient(VoxelOperator op, SolverOptions options) => new GpuMultigridConjugateGradient(device, op, options);

    public ILinearSolver? DeepConjugateDirections(PoissonGrid grid, IDirectionModel model, SolverOptions options, int previousDirections, out string reason)
    {
        reason = DeviceDirections.Supports(model) ? "" : $"only the {DeviceDirections.Names} models have device kernels ({model.Description}); run it on the CPU";
        return reason.Length == 0 ? new GpuDeepConjugateDirections(device, grid, model, options, previousDirections) : null;
    }

    public ILinearSolver? DeepConjugateDirections(VoxelOperator op, IDirectionModel model, SolverOptions options, int previousDirections, out string reason)
    {
        reason = model is KCycleDirectionModel ? "" : KCycleDirectionModel.RefusalOnFaces(model);
        return model is KCycleDirectionModel kcycle ? new GpuDeepConjugateDirections(device, op, kcycle, options, previousDirections) : null;
    }
}
