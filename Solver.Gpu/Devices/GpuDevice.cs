using Dcdm.Gpu.Kernels;
using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Gpu.Devices;

/// <summary>Owns an ILGPU context and one accelerator, and the kernels loaded on it (loaded once).</summary>
public sealed class GpuDevice : IDisposable
{
    readonly Context _context;
    public Accelerator Accelerator { get; }
    public bool IsGpu => Accelerator.AcceleratorType is AcceleratorType.Cuda or AcceleratorType.OpenCL;
    public string Name => $"{Accelerator.AcceleratorType} {Accelerator.Name}";
    /// <summary>ILGPU's optimization level for the kernels (O2 infers global address spaces: ld.global instead of generic ld in PTX).</summary>
    public OptimizationLevel Optimization { get; }

    public KrylovKernels Kernels => _kernels ??= new KrylovKernels(Accelerator);
    KrylovKernels? _kernels;

    public GridKernels GridKernels => _gridKernels ??= new GridKernels(Accelerator);
    GridKernels? _gridKernels;

    public Multigrid.MultigridKernels MultigridKernels => _multigridKernels ??= new Multigrid.MultigridKernels(Accelerator);
    Multigrid.MultigridKernels? _multigridKernels;

    internal Multigrid.AggregateKernels AggregateKernels => _aggregateKernels ??= new Multigrid.AggregateKernels(Accelerator);
    Multigrid.AggregateKernels? _aggregateKernels;

    public NetworkKernels NetworkKernels => _networkKernels ??= new NetworkKernels(Accelerator);
    NetworkKernels? _networkKernels;

    GpuDevice(Context context, Accelerator accelerator, OptimizationLevel optimization)
    {
        _context = context;
        Accelerator = accelerator;
        Optimization = optimization;
    }

    /// <param name="kind">Which accelerator.</param>
    /// <param name="optimization">ILGPU's optimization level. O1, the default: the grid CG's iteration at O2 was within 2%
    /// of it on the H200; dcdm bench --optimization O2 measures the two. The CPU accelerator runs the IL and ignores it.</param>
    /// <param name="profiling">Allow device-side timing (<see cref="ProfilingMarker"/>s, CUDA events on a GPU), for benchmarks.</param>
    /// <exception cref="NoGpuException">kind is Gpu and no CUDA or OpenCL device exists.</exception>
    public static GpuDevice Open(DeviceKind kind, OptimizationLevel optimization = OptimizationLevel.O1, bool profiling = false)
    {
        var context = Context.Create(b =>
        {
            b.Default().EnableAlgorithms().Optimize(optimization);
            if (profiling) b.Profiling();
        });
        try
        {
            Device? gpu = context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.Cuda)
                          ?? context.Devices.FirstOrDefault(d => d.AcceleratorType == AcceleratorType.OpenCL);
            Device cpu = context.Devices.First(d => d.AcceleratorType == AcceleratorType.CPU);
            Device device = kind switch
            {
                DeviceKind.Cpu => cpu,
                DeviceKind.Gpu => gpu ?? throw new NoGpuException("no CUDA or OpenCL GPU was found; DeviceKind.Cpu opens ILGPU's CPU accelerator (for checks), or use the CPU solvers"),
                _ => throw new ArgumentOutOfRangeException(nameof(kind), $"unknown device kind {kind}"),
            };
            return new GpuDevice(context, device.CreateAccelerator(context), optimization);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>A CUDA or OpenCL GPU, or null when this machine has none (then use the CPU solvers, not the emulator).</summary>
    public static GpuDevice? TryOpenGpu(OptimizationLevel optimization = OptimizationLevel.O1)
    {
        try { return Open(DeviceKind.Gpu, optimization); }
        catch (NoGpuException) { return null; }
    }

    public void Dispose()
    {
        Accelerator.Dispose();
        _context.Dispose();
    }
}
