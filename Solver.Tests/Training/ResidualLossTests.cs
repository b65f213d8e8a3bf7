using Dcdm.Training.Loss;
using static TorchSharp.torch;

namespace Dcdm.Tests.Training;

public class ResidualLossTests
{
    static readonly PoissonGrid Grid = PoissonDomains.FreeSurfaceTank(5, 4, 6, 0.6, seed: 2);

    static double[] UnitRightHandSide(int seed)
    {
        var c = ReducedSystem.FromGrid(Grid);
        var b = new double[Grid.CellCount];
        c.PrepareRightHandSideOnRows(RightHandSides.Random(Grid, seed), b);
        double norm = Math.Sqrt(b.Sum(v => v * v));
        return b.Select(v => v / norm).ToArray();
    }

    static Tensor Field(double[] v) => tensor(v, [1, 1, Grid.Nz, Grid.Ny, Grid.Nx]);

    [Test]
    public void TheStencilConvolutionIsTheGridOperator()
    {
        using var g = new GridOperatorTensors(Grid, ScalarType.Float64);
        var q = Enumerable.Range(0, Grid.CellCount).Select(i => Math.Sin(i * 0.7)).ToArray();
        var c = CellDiagonal.Of(Grid);
        var masked = q.Select((v, i) => c[i] > 0 ? v : 0).ToArray();
        var expected = new double[Grid.CellCount];
        Grid.Apply(masked, expected);
        for (int i = 0; i < expected.Length; i++) if (c[i] == 0) expected[i] = 0;
        var got = ResidualLoss.Apply(Field(q), g).data<double>().ToArray();
        Assert.That(got, Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void LossIsZeroForAMultipleOfTheSolutionAndGuardedForZero()
    {
        using var g = new GridOperatorTensors(Grid, ScalarType.Float64);
        var b = UnitRightHandSide(1);
        var x = new double[b.Length];
        var solve = new ConjugateGradient(Grid.ToCsr(GridMatrixLayout.FullGrid), options: new SolverOptions { Tolerance = 1e-13 }).Solve(b, x);
        Assert.That(solve.Converged);
        double exact = ResidualLoss.Mean(Field(x.Select(v => -3.5 * v).ToArray()), Field(b), g).item<double>();
        Assert.That(exact, Is.LessThan(1e-20));
        double identity = ResidualLoss.Mean(Field(b), Field(b), g).item<double>();
        Assert.That(identity, Is.GreaterThan(1e-3), "q = b is not A^-1 b");
        double zero = ResidualLoss.Mean(Field(new double[b.Length]), Field(b), g).item<double>();
        Assert.That(zero, Is.EqualTo(1).Within(1e-12), "q = 0 gives |b|^2, not NaN");
    }

    [Test]
    public void GradientMatchesFiniteDifferences()
    {
        using var g = new GridOperatorTensors(Grid, ScalarType.Float64);
        var b = Field(UnitRightHandSide(2));
        var start = UnitRightHandSide(3);
        var q = Field(start).requires_grad_(true);
        ResidualLoss.Mean(q, b, g).backward();
        var gradient = q.grad!.data<double>().ToArray();
        var fluid = Grid.FluidCells;
        const double h = 1e-6;
        foreach (int i in new[] { fluid[0], fluid[fluid.Length / 2], fluid[^1] })
        {
            var plus = (double[])start.Clone(); plus[i] += h;
            var minus = (double[])start.Clone(); minus[i] -= h;
            double fd = (ResidualLoss.Mean(Field(plus), b, g).item<double>() - ResidualLoss.Mean(Field(minus), b, g).item<double>()) / (2 * h);
            Assert.That(gradient[i], Is.EqualTo(fd).Within(1e-6 * Math.Max(1, Math.Abs(fd))), $"cell {i}");
        }
    }
}
