namespace Dcdm.Training;

/// <summary>One training step as reported to the caller (the CLI draws a progress bar from it).</summary>
public readonly record struct TrainingProgress(int Step, int TotalSteps, double Loss, double SamplesPerSecond, double? ValidationLoss, TimeSpan Elapsed);
