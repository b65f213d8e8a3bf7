using Dcdm.Gpu.Devices;
using Dcdm.Gpu.Kernels;
using Dcdm.MatrixMarket;
using Dcdm.Sparse;

namespace Dcdm.Tests.Gpu;

/// <summary>Every ILGPU kernel against Core's plain loops, on ILGPU's CPU accelerator (grids of 16^3 or less).</summary>
public class KrylovKernelTests : AcceleratorTests
{
    KrylovKernels K => Device.Kernels;

    [TestCase("nos6.mtx")]
    [TestCase("fluid16_A.mtx")]
    public void CsrSpmvVariantsMatchTheHostMultiply(string name)
    {
        var a = MatrixMarketReader.ReadMatrix(TestData.Matrix(name));
        var x = RandomVector.Centred(a.Rows, 1);
        var expected = new double[a.Rows];
        a.Multiply(x, expected);
        using var da = new DeviceCsr(Device.Accelerator, a);
        using var dx = new DeviceVector<double>(Device.Accelerator, x);
        using var dy = new DeviceVector<double>(Device.Accelerator, a.Rows);
        double tolerance = 1e-13 * expected.Max(Math.Abs);
        K.CsrSpmvThreadPerRow(da, dx.View, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(expected).Within(tolerance), "thread per row");
        dy.Clear();
        K.CsrSpmvWarpPerRow(da, dx.View, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(expected).Within(tolerance), "warp per row");
    }

    /// <summary>The direction's conversions: r to float32 at a scale, q back to double (masked to the unknowns, or whole).</summary>
    [Test]
    public void TheFloatAndDoubleConversionsMatchPlainLoops()
    {
        const int n = 1000;
        var r = RandomVector.Centred(n, 5);
        var diagonal = Enumerable.Range(0, n).Select(i => (byte)(i % 3 == 0 ? 0 : 6)).ToArray();
        var net = Device.NetworkKernels;
        using var dr = new DeviceVector<double>(Device.Accelerator, r);
        using var df = new DeviceVector<float>(Device.Accelerator, n);
        using var dd = new DeviceVector<byte>(Device.Accelerator, diagonal);
        using var into = new DeviceVector<double>(Device.Accelerator, n);
        net.ToFloat(0.5, dr.View, df.View);
        var q = df.ToArray();
        Assert.That(q, Is.EqualTo(r.Select(v => (float)(0.5 * v)).ToArray()));
        net.ToDoubleOnUnknowns(df.View, dd.View, into.View);
        Assert.That(into.ToArray(), Is.EqualTo(q.Select((v, i) => diagonal[i] > 0 ? (double)v : 0).ToArray()));
        net.ToDouble(df.View, into.View);
        Assert.That(into.ToArray(), Is.EqualTo(q.Select(v => (double)v).ToArray()));
    }

    [Test]
    public void WarpPerRowHandlesLongAndEmptyRows()
    {
        // row 0: 40 entries (longer than a warp), row 1: empty, row 2: one entry
        var rows = Enumerable.Repeat(0, 40).Append(2).ToArray();
        var cols = Enumerable.Range(0, 40).Append(5).ToArray();
        var vals = Enumerable.Range(0, 40).Select(i => i + 1.0).Append(3.0).ToArray();
        var a = CsrMatrix.FromCoordinates(3, 40, rows, cols, vals);
        var x = RandomVector.Centred(40, 2);
        var expected = new double[3];
        a.Multiply(x, expected);
        using var da = new DeviceCsr(Device.Accelerator, a);
        using var dx = new DeviceVector<double>(Device.Accelerator, x);
        using var dy = new DeviceVector<double>(Device.Accelerator, 3);
        K.CsrSpmvWarpPerRow(da, dx.View, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(expected).Within(1e-12));
    }

    [Test]
    public void StencilFromFlagsMatchesTheMatrixFreeGridOperator()
    {
        var grid = PoissonDomains.Spheres(12, 10, 8, 3, seed: 2);
        var tank = PoissonDomains.FreeSurfaceTank(9, 7, 11, 0.5, seed: 1);
        foreach (var g in new[] { grid, tank })
        {
            var x = RandomVector.Centred(g.CellCount, 3);
            var expected = new double[g.CellCount];
            g.Apply(x, expected);
            using var flags = new DeviceVector<byte>(Device.Accelerator, g.Cells.ToArray().Select(c => (byte)c).ToArray());
            using var dx = new DeviceVector<double>(Device.Accelerator, x);
            using var dy = new DeviceVector<double>(Device.Accelerator, g.CellCount);
            K.Stencil(flags.View, g.Nx, g.Ny, g.Nz, dx.View, dy.View);
            Assert.That(dy.ToArray(), Is.EqualTo(expected).Within(1e-12));
        }
    }

    [TestCase(1)]
    [TestCase(1000)]
    [TestCase(4096 + 17)]
    public void VectorKernelsMatchVectorOps(int n)
    {
        var acc = Device.Accelerator;
        double[] x = RandomVector.Centred(n, 4), y = RandomVector.Centred(n, 5), p = RandomVector.Centred(n, 6), q = RandomVector.Centred(n, 7);
        using var dx = new DeviceVector<double>(acc, x);
        using var dy = new DeviceVector<double>(acc, y);
        Assert.That(K.Dot(dx.View, dy.View), Is.EqualTo(VectorOps.Dot(x, y)).Within(1e-12));

        var axpy = (double[])y.Clone(); VectorOps.Axpy(0.7, x, axpy);
        K.Axpy(0.7, dx.View, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(axpy).Within(1e-14));

        var xpay = (double[])axpy.Clone(); VectorOps.Xpay(x, -0.3, xpay);
        K.Xpay(dx.View, -0.3, dy.View);
        Assert.That(dy.ToArray(), Is.EqualTo(xpay).Within(1e-14));

        var hx = (double[])x.Clone(); var hr = (double[])y.Clone();
        double rr = VectorOps.UpdateSolutionAndResidual(0.25, p, q, hx, hr);
        using var dp = new DeviceVector<double>(acc, p);
        using var dq = new DeviceVector<double>(acc, q);
        using var dx2 = new DeviceVector<double>(acc, x);
        using var dr = new DeviceVector<double>(acc, y);
        Assert.That(K.UpdateSolutionAndResidual(0.25, dp.View, dq.View, dx2.View, dr.View), Is.EqualTo(rr).Within(1e-12 * rr));
        Assert.That(dx2.ToArray(), Is.EqualTo(hx).Within(1e-15));
        Assert.That(dr.ToArray(), Is.EqualTo(hr).Within(1e-15));

        K.Subtract(dx.View, dp.View, dq.View);
        Assert.That(dq.ToArray(), Is.EqualTo(x.Zip(p, (a, b) => a - b).ToArray()).Within(1e-15));
        K.MultiplyElementwise(dx.View, dp.View, dq.View);
        Assert.That(dq.ToArray(), Is.EqualTo(x.Zip(p, (a, b) => a * b).ToArray()).Within(1e-15));
    }
}
