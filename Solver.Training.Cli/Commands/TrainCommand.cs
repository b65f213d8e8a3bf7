using System.CommandLine;
using System.Globalization;
using Dcdm.Cli;
using Dcdm.Models;
using Dcdm.Training.Convolutions;
using Dcdm.Training.Models;

namespace Dcdm.Training.Cli.Commands;

/// <summary>dcdm-train train: Adam on a training set, checkpoints and --resume, a progress line, the model file at the end.</summary>
public static class TrainCommand
{
    public static Command Create(CliConsole console)
    {
        var data = new Option<string>("--data") { Description = "training-set folder (dcdm-train generate-data)", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "folder for checkpoints, loss.csv and loss.png", Required = true };
        var model = new Option<string?>("--model") { Description = "model file to write (default OUTPUT/model.safetensors)" };
        var arch = new Option<string>("--arch") { Description = Architectures.Help, DefaultValueFactory = _ => "stencil" };
        arch.AcceptOnlyFromAmong([.. Architectures.Names]);
        var channels = new Option<int>("--channels") { Description = "stencil: hidden channels of each stencil predictor", DefaultValueFactory = _ => 8 }.Between(1, 256);
        var lr = new Option<double>("--lr") { Description = "Adam learning rate (the paper: 1e-4)", DefaultValueFactory = _ => 1e-4 };
        lr.Require(v => v > 0 && v < 1, "must be in (0, 1)");
        var batch = new Option<int>("--batch") { Description = "samples per step (one geometry per step)", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var epochs = new Option<int>("--epochs") { Description = "passes over the training set", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var seed = new Option<int>("--seed") { Description = "seed of the initial weights and the sample order", DefaultValueFactory = _ => 1 };
        var every = new Option<int>("--checkpoint-every") { Description = "steps between checkpoints", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var validate = new Option<int>("--validate-every") { Description = "steps between validation losses (geometries not trained on)", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var resume = new Option<bool>("--resume") { Description = "continue from OUTPUT/checkpoint.* if present" };
        var device = new Option<string>("--device")
        {
            Description = "cpu, cuda (when TorchSharp reports CUDA: a CUDA libtorch build, -p:DcdmTorchBackend=cuda) or auto (cuda when reported, else cpu)",
            DefaultValueFactory = _ => "cpu",
        };
        device.AcceptOnlyFromAmong([.. TrainingDevice.Names]);
        var command = new Command("train", "train a direction network (stencil or paper) on a training set")
            { data, output, model, arch, channels, lr, batch, epochs, seed, every, validate, resume, device };
        command.SetAction((parse, cancellation) =>
        {
            string outFolder = parse.GetValue(output)!;
            var options = new TrainingOptions
            {
                DataFolder = parse.GetValue(data)!, OutputFolder = outFolder,
                ModelPath = parse.GetValue(model) ?? Path.Combine(outFolder, "model.safetensors"),
                Architecture = parse.GetValue(arch)!, Channels = parse.GetValue(channels), LearningRate = parse.GetValue(lr), BatchSize = parse.GetValue(batch),
                Epochs = parse.GetValue(epochs), Seed = parse.GetValue(seed), CheckpointEvery = parse.GetValue(every),
                ValidateEvery = parse.GetValue(validate), Resume = parse.GetValue(resume), Device = parse.GetValue(device)!,
                Command = $"{DcdmTool.TrainingToolName} " + string.Join(' ', parse.Tokens.Select(t => t.Value)),
            };
            var convolutions = TorchConvolutions.Verify(TrainingDevice.Resolve(options.Device)); // refuses (exit 3) when nothing passes
            if (convolutions.Note is not null) console.Error.WriteLine($"{DcdmTool.TrainingToolName}: {convolutions.Note}");
            var progress = new SynchronousProgress<TrainingProgress>(p => Report(console, p));
            ModelFile result;
            try { result = new Trainer(options).Run(progress, cancellation); }
            catch (NonFiniteLossException e)
            {
                if (console.ErrorIsTerminal) console.Error.WriteLine();
                console.Error.WriteLine($"{DcdmTool.TrainingToolName}: {e.Message}");
                return Task.FromResult(ExitCode.Breakdown);
            }
            if (console.ErrorIsTerminal) console.Error.WriteLine();
            console.Out.WriteLine($"model       {options.ModelPath} ({result.Metadata["parameters"]} parameters, "
                + $"final loss {result.Metadata["final_loss"]}, {result.Metadata["training_seconds"]} s of training)");
            console.Out.WriteLine($"loss curve  {Path.Combine(outFolder, "loss.csv")}, {Path.Combine(outFolder, "loss.png")}");
            return Task.FromResult(ExitCode.Converged);
        });
        return command;
    }

    static void Report(CliConsole console, TrainingProgress p)
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step,6}/{p.TotalSteps}  [{Bar(p.Step, p.TotalSteps)}]  loss {p.Loss:0.0000}  {p.SamplesPerSecond,6:F1} samples/s  {p.Elapsed.TotalSeconds,6:F0} s");
        if (p.ValidationLoss is double v) line += string.Create(CultureInfo.InvariantCulture, $"  validation {v:0.0000}");
        if (console.ErrorIsTerminal) console.Error.Write("\r" + line + " ");
        else if (p.ValidationLoss is not null || p.Step == p.TotalSteps) console.Out.WriteLine(line);
    }

    static string Bar(int step, int total)
    {
        int filled = (int)(20.0 * step / Math.Max(1, total));
        return new string('#', filled) + new string('.', 20 - filled);
    }

    /// <summary>Progress that reports on the training thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    sealed class SynchronousProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}
