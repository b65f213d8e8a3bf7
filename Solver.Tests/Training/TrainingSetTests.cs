using Dcdm.Training.Data;

namespace Dcdm.Tests.Training;

public class TrainingSetTests
{
    [Test]
    public void FamiliesGiveDistinctGeometriesOfEachFamilyAwayFromTheEvaluationSeed()
    {
        var domains = TrainingDomain.Families(["obstacles", "pool", "pockets"], 12, geometries: 3, seed: 1);
        Assert.That(domains.Select(d => d.Name), Is.EqualTo(new[] { "obstacles1", "obstacles2", "obstacles3", "pool1", "pool2", "pool3", "pockets1", "pockets2", "pockets3" }));
        foreach (var family in domains.Chunk(3))
            Assert.That(family.Select(d => string.Concat(d.Grid.Cells.ToArray().Select(c => (char)('0' + (int)c)))).Distinct().Count(), Is.EqualTo(3),
                $"{family[0].Name}: three different geometries");
        var evaluation = PoissonDomains.Named("obstacles", 12, 12, 12, 7).Cells.ToArray();
        Assert.That(domains.Take(3).Select(d => d.Grid.Cells.ToArray().SequenceEqual(evaluation)), Has.None.True);
        Assert.Throws<ArgumentException>(() => TrainingDomain.Families(["cylinders"], 12, 1, 1));
    }

    [Test]
    public void DivergenceSamplesAreUnitVelocityDivergencesOnTheFluidCells()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"dcdm-set-{Guid.NewGuid():N}");
        try
        {
            // a closed box is one closed pocket: a divergence sums to zero on it (the operator's range)
            TrainingDomain[] domains = [new("closed", PoissonDomains.ClosedBox(7, 6, 5)), .. TrainingDomain.Families(["rocks"], 10, geometries: 1, seed: 2)];
            TrainingSet.Generate(folder, domains, count: 6, ritzSteps: 8, theta: 2, weight: 9, seed: 3, divergence: 1);
            var set = TrainingSet.Load(folder);
            Assert.That(Dcdm.Solvers.ReducedSystem.FromGrid(set.Domains[0].Grid).SingularComponents, Has.Count.EqualTo(1));
            foreach (var d in set.Domains)
            {
                Assert.That(d.Recipe["divergence"]!.GetValue<double>(), Is.EqualTo(1));
                var system = Dcdm.Solvers.ReducedSystem.FromGrid(d.Grid);
                var diagonal = CellDiagonal.Of(d.Grid);
                for (int s = 0; s < d.Count; s++)
                {
                    var sample = d.Sample(s).ToArray();
                    Assert.That(Math.Sqrt(sample.Sum(v => (double)v * v)), Is.EqualTo(1).Within(1e-5));
                    Assert.That(sample.Where((v, i) => diagonal[i] == 0 && v != 0), Is.Empty, "0 off the unknowns");
                    foreach (var pocket in system.SingularComponents)
                        Assert.That(pocket.Sum(u => (double)sample[system.Active?[u] ?? u]), Is.EqualTo(0).Within(1e-5), "compatible on a closed pocket");
                }
                Assert.That(d.Sample(0).ToArray(), Is.Not.EqualTo(d.Sample(1).ToArray()));
            }
        }
        finally { Directory.Delete(folder, recursive: true); }
    }
}
