using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Solvers;
using Dcdm.MatrixMarket;

namespace Dcdm.Tests.Gpu;

public class GpuConjugateGradientTests : AcceleratorTests
{

    // nos6 with plain CG needs about 670 iterations: too slow for the emulator, so only its Jacobi run.
    [TestCase("fluid16_A.mtx", PreconditionerKind.None)]
    [TestCase("fluid16_A.mtx", PreconditionerKind.Jacobi)]
    [TestCase("Laplace3D10.mtx", PreconditionerKind.None)]
    [TestCase("Laplace3D10.mtx", PreconditionerKind.Jacobi)]
    [TestCase("nos6.mtx", PreconditionerKind.Jacobi)]
    public void AgreesWithTheCpuSolvers(string name, PreconditionerKind kind)
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix(name));
        var b = name == "fluid16_A.mtx" ? MatrixMarketReader.ReadVector(TestData.Matrix("fluid16_b.mtx")) : Enumerable.Range(0, a.Rows).Select(i => Math.Sin(i)).ToArray();
        var options = new SolverOptions { Tolerance = 1e-8 };
        var xCpu = new double[a.Rows];
        var cpu = new ConjugateGradient(a, kind, options).Solve(b, xCpu);
        var xGpu = new double[a.Rows];
        using var solver = new GpuConjugateGradient(Device, a, kind, options);
        var gpu = solver.Solve(b, xGpu);
        Assert.That(gpu.Status, Is.EqualTo(SolveStatus.Converged), gpu.Message);
        Assert.That(gpu.RelativeResidual, Is.LessThanOrEqualTo(1e-8));
        // reductions sum in another order, so on ill-conditioned matrices the counts may drift a little
        Assert.That(Math.Abs(gpu.Iterations - cpu.Iterations), Is.LessThanOrEqualTo(2 + cpu.Iterations / 20), $"gpu {gpu.Iterations}, cpu {cpu.Iterations}");
        double scale = xCpu.Max(Math.Abs);
        Assert.That(xGpu, Is.EqualTo(xCpu).Within(1e-6 * scale));
        Assert.That(gpu.Details["device"], Does.StartWith("CPU"));
    }

    [Test]
    public void ClosedBoxIsProjectedAndSolvedAgainAndAgain()
    {
        var grid = PoissonDomains.ClosedBox(8, 8, 8);
        var a = grid.ToCsr(GridMatrixLayout.FullGrid);
        using var solver = new GpuConjugateGradient(Device, a, options: new SolverOptions { Tolerance = 1e-8 });
        for (int seed = 0; seed < 2; seed++)
        {
            var x = new double[a.Rows];
            var b = RightHandSides.Random(grid, seed);
            var r = solver.Solve(b, x);
            Assert.That(r.Status, Is.EqualTo(SolveStatus.Converged), r.Message);
            Assert.That(r.Projection!.SingularComponents, Is.EqualTo(1));
            Assert.That(x.Average(), Is.EqualTo(0).Within(1e-12));
            // b - mean(b) - A x, with the 7-point stencil of the closed box written out (diagonal = neighbours inside)
            double mean = b.Average(), rr = 0, bb = 0;
            for (int z = 0; z < 8; z++) for (int y = 0; y < 8; y++) for (int i = 0; i < 8; i++)
            {
                int c = grid.Index(i, y, z);
                double ax = 0;
                foreach (var (u, v, w) in new[] { (i - 1, y, z), (i + 1, y, z), (i, y - 1, z), (i, y + 1, z), (i, y, z - 1), (i, y, z + 1) })
                    if (u is >= 0 and < 8 && v is >= 0 and < 8 && w is >= 0 and < 8) ax += x[c] - x[grid.Index(u, v, w)];
                rr += (b[c] - mean - ax) * (b[c] - mean - ax); bb += (b[c] - mean) * (b[c] - mean);
            }
            Assert.That(Math.Sqrt(rr / bb), Is.LessThanOrEqualTo(1.01e-8));
        }
    }

    [Test]
    public void IndefiniteMatrixIsReportedAndIc0IsRefused()
    {
        var a = Dcdm.Sparse.CsrMatrix.FromCoordinates(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0]);
        using var solver = new GpuConjugateGradient(Device, a);
        Assert.That(solver.Solve([1.0, -1.0], new double[2]).Status, Is.EqualTo(SolveStatus.NotPositiveDefinite));
        Assert.Throws<ArgumentException>(() => new GpuConjugateGradient(Device, a, PreconditionerKind.IncompleteCholesky));
    }

    [Test]
    public void AskingForAGpuWithoutOneFailsClearly()
    {
        GpuDevice? device = null;
        try { device = GpuDevice.Open(DeviceKind.Gpu); }
        catch (NoGpuException e) { Assert.That(e.Message, Does.Contain("no CUDA or OpenCL GPU")); return; }
        using (device) Assert.That(device.IsGpu, Is.True, "a GPU was found, so it must be one");
    }
}
