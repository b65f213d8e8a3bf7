namespace Dcdm.Training;

/// <summary>Settings of one training run (dcdm train).</summary>
public sealed record TrainingOptions
{
    public required string DataFolder { get; init; }
    /// <summary>Where checkpoints, loss.csv, loss.png and the model go.</summary>
    public required string OutputFolder { get; init; }
    /// <summary>The exported model file.</summary>
    public required string ModelPath { get; init; }
    /// <summary>"stencil" (the default) or "paper".</summary>
    public string Architecture { get; init; } = "stencil";
    /// <summary>Hidden channels of the stencil network's stencil predictors (the paper network has its fixed 16).</summary>
    public int Channels { get; init; } = 8;
    public double LearningRate { get; init; } = 1e-4;
    public int BatchSize { get; init; } = 16;
    public int Epochs { get; init; } = 1;
    public int Seed { get; init; } = 1;
    public int CheckpointEvery { get; init; } = 100;
    public int ValidateEvery { get; init; } = 100;
    public bool Resume { get; init; }
    /// <summary>cpu (the default), cuda or auto (<see cref="TrainingDevice"/>).</summary>
    public string Device { get; init; } = "cpu";
    /// <summary>The command line that started the run, written into the model's metadata.</summary>
    public string Command { get; init; } = "";
}
