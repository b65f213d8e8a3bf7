using System.Reflection;
using System.Text.RegularExpressions;
using Dcdm.Benchmarks;
using Dcdm.Gpu.Kernels;
using Dcdm.Gpu.Multigrid;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Dcdm.Tests.Gpu;

/// <summary>
/// Every kernel of Solver.Gpu and of dcdm bench compiled by ILGPU's PTX backend for the H100 (SM_90, PTX ISA 8.8), with no GPU:
/// the CPU accelerator runs kernels as plain IL, so a construct only the CUDA backend rejects would
/// otherwise first fail on the GPU machine.
/// </summary>
[NonParallelizable]
public class PtxCompilationTests
{
    readonly Dictionary<OptimizationLevel, (Context Context, PTXBackend Backend)> _backends = [];

    /// <summary>The PTX backend as GpuDevice.Open configures the context, at one optimization level.</summary>
    PTXBackend Backend(OptimizationLevel level)
    {
        if (!_backends.TryGetValue(level, out var b))
        {
            var context = Context.Create(c => c.Default().EnableAlgorithms().Optimize(level));
            b = _backends[level] = (context, new PTXBackend(context, CudaArchitecture.SM_90, CudaInstructionSet.ISA_88, nvvmAPI: null!)); // no NVVM: ILGPU's own PTX generator
        }
        return b.Backend;
    }

    [OneTimeTearDown]
    public void Close()
    {
        foreach (var (context, backend) in _backends.Values) { backend.Dispose(); context.Dispose(); }
    }

    static readonly Type[] KernelClasses =
        [typeof(GridKernels), typeof(KrylovKernels), typeof(NetworkKernels), typeof(MultigridKernels), typeof(AggregateKernels), typeof(QuadCopyKernel)];

    /// <summary>The relaxation sweep's weight policies: a generic kernel is compiled once per policy.</summary>
    static readonly Type[] WeightPolicies = [typeof(GaussSeidelWeight), typeof(ConstantWeight), typeof(CellWeights)];

    /// <summary>
    /// The kernels: static void methods of the kernel classes without by-ref parameters (those are device helpers); a
    /// generic one launched as a kernel (Index1D or KernelConfig first) closed over each weight policy.
    /// </summary>
    static IEnumerable<MethodInfo> Kernels() => KernelClasses
        .SelectMany(t => t.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.DeclaredOnly))
        .SelectMany(m => !m.IsGenericMethodDefinition ? [m]
            : m.GetParameters()[0].ParameterType is var first && (first == typeof(Index1D) || first == typeof(KernelConfig))
                ? WeightPolicies.Select(w => m.MakeGenericMethod(w)) : [])
        .Where(m => m.ReturnType == typeof(void) && m.GetParameters().Length > 0 && !m.GetParameters().Any(p => p.ParameterType.IsByRef)
                    && !m.IsSpecialName && m.GetParameters().All(p => p.ParameterType.IsValueType));

    string Ptx(MethodInfo kernel, OptimizationLevel level)
    {
        var first = kernel.GetParameters()[0].ParameterType;
        var description = first == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(kernel)
            : EntryPointDescription.FromExplicitlyGroupedKernel(kernel);
        return ((PTXCompiledKernel)Backend(level).Compile(description, default)).PTXAssembly;
    }

    [TestCase(OptimizationLevel.O1)]
    [TestCase(OptimizationLevel.O2)]
    public void EveryKernelCompilesToPtxForTheH100(OptimizationLevel level)
    {
        var kernels = Kernels().ToList();
        Assert.That(kernels.Select(k => k.Name), Does.Contain("StencilQuads").And.Contain("DirectionAndProductQuadsKernel").And.Contain("UpdateResidualQuadsKernel")
            .And.Contain("CopyQuadsKernel").And.Contain("CsrThreadPerRow").And.Contain("ApplyStencil")
            .And.Contain("RelaxColourKernel").And.Contain("CoarsestSweepsKernel").And.Contain("RestrictKernel").And.Contain("ProlongAddKernel"));
        var failures = new List<string>();
        foreach (var kernel in kernels)
        {
            try
            {
                string ptx = Ptx(kernel, level);
                if (!ptx.Contains($".entry Kernel_{kernel.Name}")) failures.Add($"{kernel.DeclaringType!.Name}.{kernel.Name}: no entry point in the PTX");
            }
            catch (Exception e) { failures.Add($"{kernel.DeclaringType!.Name}.{kernel.Name}: {e.GetType().Name}: {e.Message}"); }
        }
        Assert.That(failures, Is.Empty, $"{kernels.Count} kernels compiled");
    }

    /// <summary>The vectorized kernels exist for their 16-byte accesses: the PTX must have them, and the plain ones none.</summary>
    [TestCase("StencilQuads", true)]
    [TestCase("DirectionAndProductQuadsKernel", true)]
    [TestCase("UpdateResidualQuadsKernel", true)]
    [TestCase("CopyQuadsKernel", true)]
    [TestCase("ResidualColumns", false)]
    public void VectorizedKernelsLoadAndStoreSixteenBytesPerInstruction(string name, bool vectorized)
    {
        var kernel = Kernels().Single(k => k.Name == name);
        foreach (var level in new[] { OptimizationLevel.O1, OptimizationLevel.O2 })
        {
            string ptx = Ptx(kernel, level);
            bool v4 = Regex.IsMatch(ptx, @"\bld(\.global)?\.v4\.f32") && Regex.IsMatch(ptx, @"\bst(\.global)?\.v4\.f32");
            Assert.That(v4, Is.EqualTo(vectorized), $"{level}: " + (ptx.Length > 3000 ? ptx[..3000] : ptx));
        }
    }

    /// <summary>O2 infers the global address space: loads and stores of the stencil become ld.global / st.global (O1 leaves generic ld / st).</summary>
    [Test]
    public void OptimizationLevelTwoEmitsGlobalLoads()
    {
        var kernel = Kernels().Single(k => k.Name == "StencilQuads");
        Assert.That(Ptx(kernel, OptimizationLevel.O2), Does.Contain("ld.global.v4.f32").And.Contain("st.global.v4.f32"));
        Assert.That(Ptx(kernel, OptimizationLevel.O1), Does.Not.Contain("ld.global.v4.f32"));
    }
}
