using Dcdm.Models;

namespace Dcdm.Tests.Models;

public class VCycleDirectionTests
{
    static IEnumerable<TestCaseData> Grids() =>
    [
        new TestCaseData(PoissonDomains.PocketsAndDroplets(24, 20, 22, 3)).SetName("pockets 24x20x22"),
        new TestCaseData(PoissonDomains.DamBreak(26, 18, 20, 0.4, 0.8)).SetName("dam break 26x18x20"),
        new TestCaseData(PoissonDomains.ClosedBox(10, 9, 8)).SetName("closed box 10x9x8 (every cell an unknown)"),
    ];

    [TestCaseSource(nameof(Grids))]
    public void TheDirectionOnTheUnknownsIsTheFullGridDirection(PoissonGrid grid)
    {
        // DCDM feeds the vcycle direction its compact r and reads q the same way; the full-grid Apply is the reference
        var direction = VCycleDirectionModel.Shipped().Bind(grid);
        var system = ReducedSystem.FromGrid(grid);
        var rng = new Random(3);
        var r = Enumerable.Range(0, system.Unknowns).Select(_ => rng.NextDouble() - 0.5).ToArray();
        double scale = 0.37;
        var full = new float[grid.CellCount];
        for (int i = 0; i < r.Length; i++) full[system.Active?[i] ?? i] = (float)(r[i] * scale);
        var expected = new float[grid.CellCount];
        direction.Apply(full, expected);

        var q = new double[r.Length];
        ((IDirectionOnUnknowns)direction).Apply(r, scale, system.Active, q);
        var onUnknowns = Enumerable.Range(0, r.Length).Select(i => (double)expected[system.Active?[i] ?? i]).ToArray();
        Assert.That(q, Is.EqualTo(onUnknowns).Within(1e-6 * onUnknowns.Max(Math.Abs)));
        Assert.That(onUnknowns.Count(v => v != 0), Is.EqualTo(r.Length), "a direction nonzero on every unknown");
    }
}
