using Dcdm.Models;
using Dcdm.Training.Models;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

public class VCycleNetworkTests
{
    static VCycleNetwork RandomNetwork(int channels, int seed) => TorchRandom.Perturbed(() => new VCycleNetwork(channels), seed, 0.5f); // weights far from 1, inside (0, 2)

    static ModelFile FileOf(VCycleNetwork net) =>
        NetworkFile.Export(net, new Dictionary<string, string> { ["architecture"] = "vcycle", ["channels"] = net.Channels.ToString(), ["sweeps"] = net.Sweeps.ToString() });

    static IEnumerable<TestCaseData> Geometries()
    {
        yield return new TestCaseData(PoissonDomains.Spheres(12, 10, 9, 2, seed: 5)).SetName("spheres 12x10x9");
        yield return new TestCaseData(PoissonDomains.FreeSurfaceTank(16, 16, 16, 0.6, seed: 3)).SetName("tank 16^3");
        yield return new TestCaseData(PoissonDomains.RandomObstacles(13, 11, 7, 0.2, seed: 2)).SetName("obstacles 13x11x7");
        yield return new TestCaseData(PoissonDomains.ClosedBox(9, 9, 9)).SetName("closed box 9^3");
        yield return new TestCaseData(PoissonDomains.DamBreak(14, 12, 11, 0.5, 0.7)).SetName("dam break 14x12x11 (the unknowns' box a part of the grid)");
    }

    [TestCaseSource(nameof(Geometries))]
    public void CSharpEngineMatchesTheTorchForward(PoissonGrid grid)
    {
        var net = RandomNetwork(4, 3);
        var r = TorchRandom.Vector(grid.CellCount, 7);
        var expected = new float[grid.CellCount];
        new TorchDirectionModel(net, "vcycle").Bind(grid).Apply(r, expected);
        var got = new float[grid.CellCount];
        new VCycleDirectionModel(FileOf(net)).BindGeometric(grid).Apply(r, got); // the torch network is the geometric cycle
        double scale = expected.Max(Math.Abs);
        Assert.That(scale, Is.GreaterThan(0));
        Assert.That(got, Is.EqualTo(expected).Within(2e-4 * scale));
    }

    [Test]
    public void TheUntrainedCycleIsAGaussSeidelVCycleThatDcdmConvergesWith()
    {
        // before training the weights are 1: red-black Gauss-Seidel in a V-cycle, far better than CG alone
        var grid = PoissonDomains.RandomObstacles(16, 16, 16, 0.15, seed: 1);
        var system = ReducedSystem.FromGrid(grid);
        var b = new double[grid.CellCount];
        system.PrepareRightHandSideOnRows(RightHandSides.VelocityDivergence(grid, 1), b);
        var options = new SolverOptions { Tolerance = 1e-6 };
        var cg = new ConjugateGradient(grid.ToCsr(GridMatrixLayout.FullGrid), PreconditionerKind.None, options).Solve(b, new double[b.Length]);
        var dcdm = new DeepConjugateDirections(grid, new VCycleDirectionModel(FileOf(new VCycleNetwork(2))), options).Solve(b, new double[b.Length]);
        Assert.That(dcdm.Status, Is.EqualTo(SolveStatus.Converged));
        Assert.That(dcdm.Fallback, Is.Null);
        Assert.That(dcdm.Iterations, Is.LessThan(cg.Iterations / 4), $"dcdm {dcdm.Iterations}, cg {cg.Iterations}");
    }

    [TestCaseSource(nameof(Geometries))]
    public void AnyWeightsGiveASymmetricPositiveDefiniteCycle(PoissonGrid grid)
    {
        // random predictor weights: the SOR weights land anywhere in (0, 2), the cycle must stay SPD on the unknowns
        var bound = new VCycleDirectionModel(FileOf(RandomNetwork(4, 11))).BindGeometric(grid);
        var unknown = CellDiagonal.Of(grid).Select(d => d != 0).ToArray();
        float[] OnUnknowns(int seed) => TorchRandom.Vector(grid.CellCount, seed).Select((v, i) => unknown[i] ? v : 0).ToArray();
        double Dot(float[] a, float[] b) => a.Zip(b, (u, v) => (double)u * v).Sum();
        var x = OnUnknowns(21); var y = OnUnknowns(22);
        var mx = new float[x.Length]; var my = new float[x.Length];
        bound.Apply(x, mx); bound.Apply(y, my);
        double xmy = Dot(x, my), ymx = Dot(y, mx);
        Assert.That(Math.Abs(xmy - ymx), Is.LessThan(1e-4 * Math.Sqrt(Dot(x, mx) * Dot(y, my))), $"x.My {xmy:g6}, y.Mx {ymx:g6}");
        Assert.That(Dot(x, mx), Is.GreaterThan(0));
        Assert.That(Dot(y, my), Is.GreaterThan(0));
    }

    [TestCaseSource(nameof(Geometries))]
    public void AnyWeightsGiveAPositiveKCycleDirection(PoissonGrid grid)
    {
        // the CPU binding: random learned weights in (0, 2) on the K-cycle's fine sweeps; r.K(r) > 0 keeps DCDM's steps downhill
        var bound = new VCycleDirectionModel(FileOf(RandomNetwork(4, 12))).Bind(grid);
        var unknown = CellDiagonal.Of(grid).Select(d => d != 0).ToArray();
        for (int seed = 30; seed < 33; seed++)
        {
            var r = TorchRandom.Vector(grid.CellCount, seed).Select((v, i) => unknown[i] ? v : 0).ToArray();
            var q = new float[r.Length];
            bound.Apply(r, q);
            Assert.That(r.Zip(q, (u, v) => (double)u * v).Sum(), Is.GreaterThan(0), $"seed {seed}");
        }
    }
}
