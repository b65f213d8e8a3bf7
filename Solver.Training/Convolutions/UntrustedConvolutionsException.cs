namespace Dcdm.Training.Convolutions;

/// <summary>
/// libtorch's convolutions on this machine failed <see cref="ConvolutionSelfCheck"/> on every path dcdm can select, so no
/// loss and no model are computed; the message names the CPU, the failure and the fix.
/// </summary>
public sealed class UntrustedConvolutionsException(string message) : NotSupportedException(message);
