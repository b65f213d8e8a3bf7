using System.CommandLine;
using Dcdm.Cli;
using Dcdm.Training.Data;

namespace Dcdm.Training.Cli.Commands;

/// <summary>dcdm-train generate-data: Ritz-vector right-hand sides of the training geometries, written as a training set.</summary>
public static class GenerateDataCommand
{
    public static Command Create(CliConsole console)
    {
        var output = new Option<string>("--output", "-o") { Description = "folder for manifest.json and the samples", Required = true };
        var size = new Option<int>("--size") { Description = "grid size n of the n^3 training geometries", DefaultValueFactory = _ => 32 }.Between(4, 256);
        var samples = new Option<int>("--samples") { Description = "samples per geometry", DefaultValueFactory = _ => 1000 }.AtLeast(1);
        var ritz = new Option<int>("--ritz") { Description = "m, Lanczos steps (full re-orthogonalisation) per geometry", DefaultValueFactory = _ => 400 }.AtLeast(2);
        var theta = new Option<int>("--theta") { Description = "the lowest m/2 + theta Ritz vectors get the larger weight", DefaultValueFactory = _ => 20 };
        var weight = new Option<double>("--weight") { Description = "weight of the low modes (the paper: 9)", DefaultValueFactory = _ => 9 };
        var seed = new Option<int>("--seed") { Description = "random seed (Lanczos start vectors and coefficients)", DefaultValueFactory = _ => 1 };
        var families = new Option<string[]>("--families")
        {
            Description = $"training families ({string.Join(", ", TrainingDomain.FamilyNames)}), --geometries of each with random parameters; "
                + "without it the three fixed geometries of the shipped models (a smoke box, spheres, a half-full pool)",
            AllowMultipleArgumentsPerToken = true,
        };
        families.AcceptOnlyFromAmong([.. TrainingDomain.FamilyNames]);
        var geometries = new Option<int>("--geometries") { Description = "geometries of each family given to --families", DefaultValueFactory = _ => 1 }.Between(1, 1000);
        var divergence = new Option<double>("--divergence")
        {
            Description = "fraction of the samples that are divergences of random velocity fields (what a pressure projection solves) instead of Ritz vectors",
            DefaultValueFactory = _ => 0,
        };
        divergence.Require(v => v >= 0 && v <= 1, "must be in [0, 1]");
        var command = new Command("generate-data", "make a DCDM training set: Ritz vectors of the training geometries' operators, low modes weighted")
            { output, size, samples, ritz, theta, weight, seed, families, geometries, divergence };
        command.SetAction((parse, cancellation) =>
        {
            int n = parse.GetValue(size);
            var named = parse.GetValue(families);
            var domains = named is { Length: > 0 } ? TrainingDomain.Families(named, n, parse.GetValue(geometries), parse.GetValue(seed)) : TrainingDomain.Training(n);
            TrainingSet.Generate(parse.GetValue(output)!, domains, parse.GetValue(samples), parse.GetValue(ritz), parse.GetValue(theta),
                parse.GetValue(weight), parse.GetValue(seed), line => console.Out.WriteLine(line), parse.GetValue(divergence));
            console.Out.WriteLine($"wrote {Path.Combine(parse.GetValue(output)!, "manifest.json")}");
            return Task.FromResult(ExitCode.Converged);
        });
        return command;
    }
}
