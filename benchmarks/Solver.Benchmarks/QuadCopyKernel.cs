using ILGPU;
using ILGPU.Runtime;

namespace Dcdm.Benchmarks;

/// <summary>
/// A copy on quads, run by no solver: the streaming rate ILGPU's own code reaches on a device, set beside the driver's
/// copy as the ceiling of the grid kernels (<see cref="StreamingBenchmarks"/>). Loaded once.
/// </summary>
public sealed class QuadCopyKernel
{
    readonly Accelerator _accelerator;
    readonly Action<KernelConfig, ArrayView<float>, ArrayView<float>> _copy;

    public QuadCopyKernel(Accelerator accelerator)
    {
        _accelerator = accelerator;
        _copy = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>>(CopyQuadsKernel);
    }

    /// <summary>to = from (lengths equal, a multiple of 4), one full wave of groups of 256 walking the quads.</summary>
    public void Copy(ArrayView<float> from, ArrayView<float> to)
    {
        if (from.Length != to.Length || from.Length % 4 != 0)
            throw new ArgumentException($"Copy needs two views of one length, a multiple of 4; got {from.Length} and {to.Length}");
        int group = Math.Min(256, _accelerator.MaxNumThreadsPerGroup);
        long wave = (long)_accelerator.NumMultiprocessors * Math.Max(1, _accelerator.MaxNumThreadsPerMultiprocessor / group);
        int groups = (int)Math.Clamp((from.Length / 4 + group - 1) / group, 1, Math.Max(1, wave));
        _copy(new KernelConfig(groups, group), from, to);
    }

    /// <summary>to = from on quads: 16-byte loads and stores, 8 bytes per cell, grid-stride.</summary>
    static void CopyQuadsKernel(ArrayView<float> from, ArrayView<float> to)
    {
        var f4 = from.Cast<Sixteen>().AsAligned16(); var t4 = to.Cast<Sixteen>().AsAligned16();
        int stride = Grid.DimX * Group.DimX, n = (int)f4.Length;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) t4[i] = f4[i];
    }

    /// <summary>Four floats, moved as one 16-byte access (ld.global.v4.f32 on CUDA).</summary>
    readonly struct Sixteen(float x0, float x1, float x2, float x3)
    {
        public readonly float X0 = x0, X1 = x1, X2 = x2, X3 = x3;
    }
}
