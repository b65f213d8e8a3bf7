using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dcdm.Models;
using Dcdm.Poisson;
using Dcdm.Solvers;
using Dcdm.Training.Convolutions;
using Dcdm.Training.Data;
using Dcdm.Training.Loss;
using Dcdm.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training;

/// <summary>
/// Trains the stencil network with Adam on a training set: each step takes a batch of one geometry (the
/// geometries in turn, samples shuffled per epoch by the seed), so the stencils are predicted once per
/// step. Checkpoints (model, optimizer state, step) every N steps make a run resumable; loss.csv
/// gets a line per step; validation loss on geometries not trained on every M steps. The same seed
/// and data give the same run, resumed or not.
/// </summary>
public sealed class Trainer
{
    readonly TrainingOptions _o;
    public Trainer(TrainingOptions options) => _o = options;

    string Checkpoint(string ext) => Path.Combine(_o.OutputFolder, $"checkpoint.{ext}");

    public ModelFile Run(IProgress<TrainingProgress>? progress = null, CancellationToken cancellation = default)
    {
        Directory.CreateDirectory(_o.OutputFolder);
        var data = TrainingSet.Load(_o.DataFolder);
        var device = TrainingDevice.Resolve(_o.Device);
        var convolutions = TorchConvolutions.Verify(device); // before any loss: a convolution that fails the check never trains
        var geometries = data.Domains.Select(d => new GridOperatorTensors(d.Grid, device: device)).ToArray();
        int n = data.Domains[0].Grid.Nx;
        var validation = TrainingDomain.Validation(n)
            .Select(d => (d, g: new GridOperatorTensors(d.Grid, device: device), b: ValidationSamples(d.Grid).to(device))).ToArray();

        random.manual_seed(_o.Seed);
        var network = Architectures.Create(_o.Architecture, _o.Channels).to(device); // made on the CPU (same weights for a seed), then moved
        var optimizer = optim.Adam(network.parameters(), _o.LearningRate);
        int stepsPerEpoch = data.Domains.Sum(d => d.Count) / _o.BatchSize;
        int total = stepsPerEpoch * _o.Epochs;
        int start = 0;
        double trainedSeconds = 0;
        string csv = Path.Combine(_o.OutputFolder, "loss.csv");
        if (_o.Resume && File.Exists(Checkpoint("json")))
        {
            var state = JsonNode.Parse(File.ReadAllText(Checkpoint("json")))!.AsObject();
            start = state["step"]!.GetValue<int>();
            trainedSeconds = state["seconds"]!.GetValue<double>();
            // a checkpoint without the key, or with "lean" (the stencil network's earlier name), holds a stencil network
            string saved = state["architecture"]?.GetValue<string>() is { } a && a != "lean" ? a : "stencil";
            if (state["channels"]!.GetValue<int>() != _o.Channels || saved != _o.Architecture)
                throw new ArgumentException($"{Checkpoint("json")}: the checkpoint is {saved} with {state["channels"]} channels, "
                    + $"the run asks for {_o.Architecture} with {_o.Channels}; use another --output or the same settings");
            NetworkFile.Import(network, ModelFile.Read(Checkpoint("safetensors")));
            optimizer.load_state_dict(Checkpoint("optimizer"));
            TrimCsv(csv, start);
        }
        else File.WriteAllText(csv, "step,loss,validation_loss,seconds\n");

        var clock = Stopwatch.StartNew();
        double last = double.NaN;
        for (int step = start; step < total; step++)
        {
            cancellation.ThrowIfCancellationRequested();
            int d = step % data.Domains.Count;
            optimizer.zero_grad();
            using (var scope = NewDisposeScope()) // the batch's tensors; Adam's state (made in step) must outlive it
            {
                var batch = BatchOf(data.Domains[d], step, stepsPerEpoch, data.Domains.Count).to(device);
                var loss = ResidualLoss.Mean(network.forward(batch, geometries[d].Flags), batch, geometries[d]);
                last = loss.item<float>();
                if (!double.IsFinite(last)) // never a step, a line or a checkpoint from a loss that is not a number
                    throw new NonFiniteLossException($"step {step + 1}: the loss is {last} (convolutions: {convolutions.Name}); nothing of this step is written, "
                        + $"the last checkpoint in {_o.OutputFolder} resumes the run. A lower --lr (now {_o.LearningRate:g}) is the usual fix");
                loss.backward();
            }
            optimizer.step();
            double? validationLoss = null;
            if ((step + 1) % _o.ValidateEvery == 0 || step + 1 == total) validationLoss = Validate(network, validation);
            double seconds = trainedSeconds + clock.Elapsed.TotalSeconds;
            File.AppendAllText(csv, string.Create(CultureInfo.InvariantCulture,
                $"{step + 1},{last:G6},{(validationLoss is double v ? v.ToString("G6", CultureInfo.InvariantCulture) : "")},{seconds:F1}\n"));
            progress?.Report(new TrainingProgress(step + 1, total, last,
                (step + 1 - start) * _o.BatchSize / Math.Max(1e-9, clock.Elapsed.TotalSeconds), validationLoss, TimeSpan.FromSeconds(seconds)));
            if ((step + 1) % _o.CheckpointEvery == 0 || step + 1 == total) SaveCheckpoint(network, optimizer, step + 1, seconds);
        }
        double totalSeconds = trainedSeconds + clock.Elapsed.TotalSeconds;
        var model = NetworkFile.Export(network, Metadata(data, total, last, totalSeconds, network.parameters().Sum(p => p.numel()), device, convolutions));
        model.Write(_o.ModelPath);
        LossCurve.WritePng(csv, Path.Combine(_o.OutputFolder, "loss.png"));
        foreach (var g in geometries) g.Dispose();
        return model;
    }

    /// <summary>The batch of a step: its geometry's samples in an order shuffled per epoch (deterministic in the seed).</summary>
    Tensor BatchOf(TrainingSet.Domain domain, int step, int stepsPerEpoch, int domains)
    {
        int epoch = step / stepsPerEpoch;
        int turn = step % stepsPerEpoch / domains; // this geometry's batch index within the epoch
        var order = Enumerable.Range(0, domain.Count).ToArray();
        new Random(_o.Seed * 100_003 + epoch * 31 + domain.Name.Length).Shuffle(order);
        var values = new float[_o.BatchSize * domain.Cells];
        for (int i = 0; i < _o.BatchSize; i++)
            domain.Sample(order[(turn * _o.BatchSize + i) % domain.Count]).CopyTo(values.AsSpan(i * domain.Cells));
        var g = domain.Grid;
        return tensor(values, [_o.BatchSize, 1, g.Nz, g.Ny, g.Nx]);
    }

    /// <summary>Unit right-hand sides of the kind a CFD code solves (velocity divergence) on a validation geometry.</summary>
    static Tensor ValidationSamples(PoissonGrid grid)
    {
        const int count = 4;
        var unknowns = ReducedSystem.FromGrid(grid);
        var values = new float[count * grid.CellCount];
        for (int s = 0; s < count; s++)
        {
            var b = new double[grid.CellCount];
            unknowns.PrepareRightHandSideOnRows(RightHandSides.VelocityDivergence(grid, 100 + s), b);
            double norm = Math.Sqrt(b.Sum(v => v * v));
            for (int i = 0; i < b.Length; i++) values[s * grid.CellCount + i] = (float)(b[i] / norm);
        }
        return tensor(values, [count, 1, grid.Nz, grid.Ny, grid.Nx]);
    }

    static double Validate(nn.Module<Tensor, Tensor, Tensor> network, IEnumerable<(TrainingDomain d, GridOperatorTensors g, Tensor b)> validation)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        return validation.Average(v => (double)ResidualLoss.Mean(network.forward(v.b, v.g.Flags), v.b, v.g).item<float>());
    }

    void SaveCheckpoint(nn.Module network, TorchSharp.Modules.Adam optimizer, int step, double seconds)
    {
        NetworkFile.Export(network, Shape()).Write(Checkpoint("safetensors"));
        optimizer.save_state_dict(Checkpoint("optimizer"));
        var state = new JsonObject { ["step"] = step, ["seconds"] = seconds, ["channels"] = _o.Channels, ["architecture"] = _o.Architecture, ["seed"] = _o.Seed };
        File.WriteAllText(Checkpoint("json"), state.ToJsonString());
    }

    static void TrimCsv(string csv, int steps)
    {
        if (!File.Exists(csv)) { File.WriteAllText(csv, "step,loss,validation_loss,seconds\n"); return; }
        var lines = File.ReadAllLines(csv);
        File.WriteAllLines(csv, lines.Take(1 + steps));
    }

    Dictionary<string, string> Metadata(TrainingSet data, int steps, double loss, double seconds, long parameters, Device device, ConvolutionPath convolutions)
    {
        var d0 = data.Domains[0];
        var metadata = Shape();
        foreach (var (key, value) in new Dictionary<string, string>
        {
            ["flag_channels"] = _o.Architecture == PaperNetwork.ArchitectureName ? "none (the paper's network reads r only)" : "fluid, air, solid",
            ["parameters"] = parameters.ToString(CultureInfo.InvariantCulture),
            ["multiply_adds_per_cell"] = (_o.Architecture switch
            {
                PaperNetwork.ArchitectureName => PaperNetwork.MultiplyAddsPerCell,
                VCycleDirectionModel.ArchitectureName => VCycleDirectionModel.MultiplyAddsPerCell(VCycleNetwork.DefaultSweeps),
                _ => StencilDirectionModel.MultiplyAddsPerCell,
            }).ToString("F0", CultureInfo.InvariantCulture),
            ["training_grid"] = $"{d0.Grid.Nx}x{d0.Grid.Ny}x{d0.Grid.Nz}",
            ["training_domains"] = string.Join(", ", data.Domains.Select(d => $"{d.Name} ({d.Count} samples)")),
            ["data_recipe"] = string.Join("; ", data.Domains.Select(d => d.Recipe.ToJsonString())),
            ["device"] = device.type == DeviceType.CUDA ? "cuda" : "cpu",
            ["convolutions"] = $"{convolutions.Name}, self-checked (worst relative error {convolutions.Check.MaxRelativeError:G2})",
            ["optimizer"] = string.Create(CultureInfo.InvariantCulture, $"Adam lr {_o.LearningRate:g}, batch {_o.BatchSize}, {_o.Epochs} epochs, seed {_o.Seed}"),
            ["steps"] = steps.ToString(CultureInfo.InvariantCulture),
            ["final_loss"] = loss.ToString("G4", CultureInfo.InvariantCulture),
            ["training_seconds"] = seconds.ToString("F0", CultureInfo.InvariantCulture),
            ["command"] = _o.Command,
        })
            metadata[key] = value;
        return metadata;
    }

    /// <summary>What an engine needs to rebuild the network: architecture, channels, and the vcycle's sweeps.</summary>
    Dictionary<string, string> Shape()
    {
        var shape = new Dictionary<string, string>
        {
            ["architecture"] = _o.Architecture,
            ["channels"] = (_o.Architecture == PaperNetwork.ArchitectureName ? 16 : _o.Channels).ToString(CultureInfo.InvariantCulture),
        };
        if (_o.Architecture == VCycleDirectionModel.ArchitectureName) shape["sweeps"] = VCycleNetwork.DefaultSweeps.ToString(CultureInfo.InvariantCulture);
        return shape;
    }
}
