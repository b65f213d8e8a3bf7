using System.Runtime.InteropServices;

namespace Dcdm.Training.Convolutions;

/// <summary>
/// libtorch's own switch for its oneDNN (mkldnn) CPU kernels, at::globalContext().setUserEnabledMkldnn, which
/// TorchSharp does not expose: called through its exported C++ symbols (Itanium ABI, so Linux and macOS builds of
/// libtorch). With it off, conv3d and conv_transpose3d run ATen's own kernels (im2col and GEMM). It is read at every
/// call, so it works after oneDNN has run, unlike DNNL_MAX_CPU_ISA, which oneDNN reads once, natively, before its first
/// kernel (measured: .NET's Environment.SetEnvironmentVariable never reaches it; libc's setenv before the first
/// convolution does).
/// </summary>
static partial class OneDnnSwitch
{
    const string LibTorch = "libtorch_cpu";

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at13globalContextEv")]
    private static partial IntPtr GlobalContext();

    [LibraryImport(LibTorch, EntryPoint = "_ZN2at7Context20setUserEnabledMkldnnEb")]
    private static partial void SetUserEnabledMkldnn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);

    [LibraryImport(LibTorch, EntryPoint = "_ZNK2at7Context17userEnabledMkldnnEv")]
    [return: MarshalAs(UnmanagedType.U1)]
    private static partial bool UserEnabledMkldnn(IntPtr context);

    /// <summary>Whether libtorch's CPU convolutions may use oneDNN; null where the switch cannot be reached (a Windows libtorch).</summary>
    public static bool? Enabled
    {
        get
        {
            try { return UserEnabledMkldnn(GlobalContext()); }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return null; }
        }
    }

    /// <summary>Sets the switch and reads it back; false where it cannot be reached or did not take.</summary>
    public static bool TrySet(bool enabled)
    {
        try
        {
            var context = GlobalContext();
            SetUserEnabledMkldnn(context, enabled);
            return UserEnabledMkldnn(context) == enabled;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }
}
