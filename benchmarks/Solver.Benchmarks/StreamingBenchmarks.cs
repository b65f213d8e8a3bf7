using BenchmarkDotNet.Attributes;
using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.Poisson;
using ILGPU.Runtime;

namespace Dcdm.Benchmarks;

/// <summary>
/// The grid CG's stencil kernel beside the streaming ceiling of the same device: the driver's copy and ILGPU's own copy
/// kernel (8 B per cell), the stencil 9 B per cell. On the first ILGPU device found (CUDA, OpenCL, else the CPU
/// emulator, which says nothing about speed); 64^3 cells.
/// </summary>
public class StreamingBenchmarks
{
    GpuDevice _device = null!;
    QuadCopyKernel _copy = null!;
    DeviceVector<byte> _diagonal = null!;
    DeviceVector<float> _p = null!, _q = null!;
    GridShape _shape;

    [GlobalSetup]
    public void Open()
    {
        _device = GpuDevice.TryOpenGpu() ?? GpuDevice.Open(DeviceKind.Cpu);
        var grid = PoissonDomains.Named("obstacles", 64, 64, 64, 1);
        var layout = new PaddedGrid(grid.Nx, grid.Ny, grid.Nz);
        var diagonal = CellDiagonal.Of(grid);
        var rng = new Random(1);
        var values = diagonal.Select(d => d > 0 ? (float)(rng.NextDouble() - 0.5) : 0f).ToArray();
        _diagonal = new DeviceVector<byte>(_device.Accelerator, layout.Pad<byte>(diagonal));
        _p = new DeviceVector<float>(_device.Accelerator, layout.Pad<float>(values));
        _q = new DeviceVector<float>(_device.Accelerator, layout.Cells);
        _copy = new QuadCopyKernel(_device.Accelerator);
        _shape = layout.Shape(GridKernels.DefaultChunk);
    }

    [GlobalCleanup]
    public void Close()
    {
        _diagonal.Dispose(); _p.Dispose(); _q.Dispose();
        _device.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void DriverCopy()
    {
        _p.View.CopyTo(_q.View);
        _device.Accelerator.Synchronize();
    }

    [Benchmark]
    public void KernelCopy()
    {
        _copy.Copy(_p.View, _q.View);
        _device.Accelerator.Synchronize();
    }

    [Benchmark]
    public void Stencil()
    {
        _device.GridKernels.Stencil(_shape, _diagonal.View, _p.View, _q.View);
        _device.Accelerator.Synchronize();
    }
}
