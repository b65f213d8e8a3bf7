namespace Dcdm.Training;

/// <summary>A training step's loss is NaN or infinite: the run stops before that step, its line or a checkpoint is written.</summary>
public sealed class NonFiniteLossException(string message) : ArithmeticException(message);
