using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Models;
using Dcdm.Gpu.Solvers;
using Dcdm.Models;

namespace Dcdm.Tests.Gpu;

[NonParallelizable]
public class DeviceStencilNetworkTests
{
    [TestCase(12, 10, 9)]
    [TestCase(16, 16, 16)]
    [TestCase(5, 7, 3)]
    public void TheDeviceVCycleMatchesTheCSharpEngine(int nx, int ny, int nz)
    {
        using var device = GpuDevice.Open(DeviceKind.Cpu);
        var model = new StencilDirectionModel(ModelFile.Read(TestData.Model("stencil.safetensors")));
        var grid = PoissonDomains.FreeSurfaceTank(nx, ny, nz, 0.6, seed: 4);
        var rng = new Random(2);
        var r = Enumerable.Range(0, grid.CellCount).Select(_ => (float)(rng.NextDouble() - 0.5)).ToArray();
        var expected = new float[grid.CellCount];
        model.Bind(grid).Apply(r, expected);
        using var network = new DeviceStencilNetwork(device, model.Stencils(grid));
        var got = new float[grid.CellCount];
        ((IDirection)network).Apply(r, got);
        Assert.That(got, Is.EqualTo(expected).Within(1e-5 * expected.Max(Math.Abs)));
    }
}
