namespace Dcdm.Gpu.Devices;

/// <summary>A GPU was asked for and none was found.</summary>
public sealed class NoGpuException(string message) : Exception(message);
