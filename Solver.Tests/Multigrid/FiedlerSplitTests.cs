using Dcdm.Multigrid;
using MathNet.Numerics.LinearAlgebra;

namespace Dcdm.Tests.Multigrid;

/// <summary><see cref="FiedlerSplit"/> on small groups written out coupling by coupling, against a dense eigensolve.</summary>
public class FiedlerSplitTests
{
    static (int Count, int[] Label) Split(double[] diagonal, (int K, int L, double W)[] couplings, double share, int[]? pieces = null)
    {
        int m = diagonal.Length;
        var split = new FiedlerSplit(m, couplings.Length);
        split.Start(m);
        for (int k = 0; k < m; k++) split.Diagonal(k, diagonal[k]);
        foreach (var (k, l, w) in couplings) split.Add(k, l, w);
        var label = pieces?.ToArray() ?? new int[m];
        int count = split.Split(label, label.Max() + 1, share);
        return (count, label);
    }

    /// <summary>The eigenvalues and vectors of D^-1/2 L D^-1/2 (MathNet's dense symmetric solve), ascending.</summary>
    static (double[] Values, Matrix<double> Vectors) Spectrum(double[] diagonal, (int K, int L, double W)[] couplings)
    {
        int n = diagonal.Length;
        var m = Matrix<double>.Build.Dense(n, n);
        foreach (var (k, l, w) in couplings)
        {
            double s = w / Math.Sqrt(diagonal[k] * diagonal[l]);
            m[k, l] -= s;
            m[l, k] -= s;
            m[k, k] += w / diagonal[k];
            m[l, l] += w / diagonal[l];
        }
        var evd = m.Evd(Symmetricity.Symmetric);
        return ([.. evd.EigenValues.Select(c => c.Real)], evd.EigenVectors);
    }

    /// <summary>Clusters of <paramref name="size"/> cells, each a ring of unit couplings, joined in a chain by <paramref name="joint"/>;
    /// every diagonal its couplings plus <paramref name="outside"/>.</summary>
    static (double[] Diagonal, (int, int, double)[] Couplings) Chain(int clusters, int size, double joint, double outside)
    {
        var couplings = new List<(int, int, double)>();
        for (int c = 0; c < clusters; c++)
        {
            for (int i = 0; i < size; i++) couplings.Add((c * size + i, c * size + (i + 1) % size, 1));
            if (c > 0) couplings.Add((c * size - 1, c * size, joint));
        }
        var diagonal = new double[clusters * size];
        foreach (var (k, l, w) in couplings) { diagonal[k] += w; diagonal[l] += w; }
        for (int k = 0; k < diagonal.Length; k++) diagonal[k] += outside;
        return (diagonal, [.. couplings]);
    }

    [Test]
    public void AUnitBlocksFiedlerValueIsAThird()
    {
        // a 2x2x2 block of unit cells inside a grid: twelve unit faces, each diagonal 6; L's second eigenvalue 2, so 2 / 6
        var couplings = new List<(int, int, double)>();
        for (int s = 0; s < 8; s++)
            foreach (int bit in new[] { 1, 2, 4 })
                if ((s & bit) == 0) couplings.Add((s, s | bit, 1));
        var diagonal = Enumerable.Repeat(6.0, 8).ToArray();
        Assert.That(Spectrum(diagonal, [.. couplings]).Values[1], Is.EqualTo(1 / 3.0).Within(1e-12), "the reference");
        Assert.That(Split(diagonal, [.. couplings], 0.2).Count, Is.EqualTo(1));
        Assert.That(Split(diagonal, [.. couplings], 0.33).Count, Is.EqualTo(1));
        Assert.That(Split(diagonal, [.. couplings], 0.34).Count, Is.GreaterThan(1));
    }

    [Test]
    public void TwoSidesOfAThroatAreCutApart()
    {
        // two pairs of mostly closed cut cells (diagonals 3, each coupled by 1 inside its pair and 2 to its own side
        // outside), the pairs joined through a face 1/8 open: the piece's slowest mode jumps at that face
        var diagonal = new[] { 3.0, 3.125, 3.125, 3.0 };
        (int, int, double)[] couplings = [(0, 1, 1), (1, 2, 0.125), (2, 3, 1)];
        Assert.That(Spectrum(diagonal, couplings).Values[1], Is.LessThan(0.2), "the reference");
        var (count, label) = Split(diagonal, couplings, 0.2);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 1, 1 }), "numbered in the order of their first members");
    }

    [Test]
    public void AChainOfClustersIsCutInRoundsUntilEachClusterHolds()
    {
        // three rings of four joined by faces of 0.05: the first cut leaves the middle ring with one end, the second
        // round cuts that part again
        var (diagonal, couplings) = Chain(3, 4, 0.05, 1);
        var (count, label) = Split(diagonal, couplings, 0.2);
        Assert.That(count, Is.EqualTo(3));
        for (int c = 0; c < 3; c++)
            Assert.That(label.Skip(4 * c).Take(4).Distinct().Count(), Is.EqualTo(1), $"ring {c} whole");
        Assert.That(label.Distinct().Count(), Is.EqualTo(3));
    }

    [Test]
    public void TheDecisionIsTheDenseFiedlerValueAgainstTheShare()
    {
        var rng = new Random(5);
        int cut = 0, whole = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            int n = rng.Next(2, FiedlerSplit.MaxPiece + 1);
            // a random spanning tree plus a few more couplings, weights spread over two decades
            var couplings = new List<(int, int, double)>();
            for (int k = 1; k < n; k++) couplings.Add((rng.Next(k), k, Math.Pow(10, 2 * rng.NextDouble() - 1)));
            for (int extra = rng.Next(n); extra > 0; extra--)
            {
                int k = rng.Next(n), l = rng.Next(n);
                if (k != l && !couplings.Any(c => (c.Item1, c.Item2) == (k, l) || (c.Item1, c.Item2) == (l, k)))
                    couplings.Add((k, l, Math.Pow(10, 2 * rng.NextDouble() - 1)));
            }
            var diagonal = new double[n];
            foreach (var (k, l, w) in couplings) { diagonal[k] += w; diagonal[l] += w; }
            for (int k = 0; k < n; k++) diagonal[k] += 3 * rng.NextDouble(); // couplings outside the piece
            double share = 0.1 + 0.2 * rng.NextDouble();
            double fiedler = Spectrum(diagonal, [.. couplings]).Values[1];
            if (Math.Abs(fiedler - share) < 1e-9) continue;
            int count = Split(diagonal, [.. couplings], share).Count;
            Assert.That(count > 1, Is.EqualTo(fiedler < share), $"trial {trial}: n {n}, Fiedler value {fiedler}, share {share}");
            if (count > 1) cut++; else whole++;
        }
        Assert.That(cut, Is.GreaterThan(50), "both outcomes tried");
        Assert.That(whole, Is.GreaterThan(50), "both outcomes tried");
    }

    [Test]
    public void EachCutPartIsConnectedAndTheCutFollowsTheFiedlerVectorsSigns()
    {
        // two rings of five, joined by one weak face: the Fiedler vector has one sign on each ring
        var (diagonal, couplings) = Chain(2, 5, 0.02, 0.5);
        var (_, vectors) = Spectrum(diagonal, couplings);
        var want = Enumerable.Range(0, 10).Select(i => vectors[i, 1] > 0).ToArray();
        var (count, label) = Split(diagonal, couplings, 0.2);
        Assert.That(count, Is.EqualTo(2));
        for (int i = 0; i < 10; i++)
            Assert.That(label[i] == label[0], Is.EqualTo(want[i] == want[0]), $"member {i}");
    }

    [TestCase(0.2)]
    [TestCase(0.3)]
    public void APlatesCornerBlockIsCutIntoItsTwoLayers(double share)
    {
        // a 2x2x2 block at a grid's corner across a plate: unit faces in each layer, the layers joined by four faces half
        // open, the top layer's diagonals 2 more (air above). Its Fiedler value is 0.19999, the next 0.39; the slowest
        // mode jumps between the layers, so the layers are the cut
        (int, int, double)[] couplings = [(0, 1, 1), (2, 3, 1), (4, 5, 1), (6, 7, 1), (0, 2, 1), (1, 3, 1), (4, 6, 1), (5, 7, 1),
            (0, 4, 0.5), (1, 5, 0.5), (2, 6, 0.5), (3, 7, 0.5)];
        double[] diagonal = [3.5, 4.5, 4.5, 5.5, 4.5, 5.5, 5.5, 6.5];
        var (values, _) = Spectrum(diagonal, couplings);
        Assert.That((values[1], values[2]), Is.EqualTo((0.19999, 0.39257)).Within(1e-5), "the reference");
        var (count, label) = Split(diagonal, couplings, share);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }));
    }

    [Test]
    public void OnlyLoosePiecesAreCutAndTheOthersKeepTheirMembers()
    {
        // piece 0: a tight ring of four (Fiedler value 2 / 3 against diagonals 3); piece 1: two rings of four joined by 0.05
        var (tightDiagonal, tight) = Chain(1, 4, 0, 1);
        var (looseDiagonal, loose) = Chain(2, 4, 0.05, 1);
        double[] diagonal = [.. tightDiagonal, .. looseDiagonal];
        (int, int, double)[] couplings = [.. tight, .. loose.Select(c => (c.Item1 + 4, c.Item2 + 4, c.Item3))];
        int[] pieces = [0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1];
        var (count, label) = Split(diagonal, couplings, 0.2, pieces);
        Assert.That(count, Is.EqualTo(3));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2 }));
    }

    [Test]
    public void CutsRefineThePiecesIntoConnectedPartsNumberedInTheOrderOfTheirFirstMembers()
    {
        // callers write the labels into their piece arrays as they come: 0 .. count-1, each part inside one piece and
        // held together by its couplings
        var rng = new Random(11);
        int cut = 0;
        for (int trial = 0; trial < 200; trial++)
        {
            int m = rng.Next(4, 25);
            var pieces = new int[m];
            int count = 0;
            for (int k = 0; k < m; k++) // pieces numbered in the order of their first members
                if ((pieces[k] = count == 0 || rng.Next(4) == 0 ? count : rng.Next(count)) == count) count++;
            var couplings = new List<(int, int, double)>();
            for (int l = 1; l < m; l++) // each member coupled to an earlier one of its piece, and a few more
            {
                var earlier = Enumerable.Range(0, l).Where(k => pieces[k] == pieces[l]).ToArray();
                if (earlier.Length > 0) couplings.Add((earlier[rng.Next(earlier.Length)], l, Math.Pow(10, 2 * rng.NextDouble() - 1.5)));
                if (rng.Next(2) == 0 && earlier.Length > 1) couplings.Add((earlier[rng.Next(earlier.Length)], l, Math.Pow(10, 2 * rng.NextDouble() - 1.5)));
            }
            var diagonal = new double[m];
            foreach (var (k, l, w) in couplings) { diagonal[k] += w; diagonal[l] += w; }
            for (int k = 0; k < m; k++) diagonal[k] += 0.1 + rng.NextDouble();
            var (after, label) = Split(diagonal, [.. couplings], 0.1 + 0.3 * rng.NextDouble(), pieces);
            if (after > count) cut++;
            int seen = 0;
            for (int k = 0; k < m; k++)
            {
                Assert.That(label[k], Is.LessThanOrEqualTo(seen), $"trial {trial}: member {k}'s label skips one");
                if (label[k] == seen) seen++;
            }
            Assert.That(seen, Is.EqualTo(after), $"trial {trial}: labels 0 .. count-1");
            for (int k = 0; k < m; k++)
                for (int l = 0; l < m; l++)
                    if (label[k] == label[l]) Assert.That(pieces[k], Is.EqualTo(pieces[l]), $"trial {trial}: a part across two pieces");
            var root = Enumerable.Range(0, m).ToArray();
            int Find(int s) => root[s] == s ? s : root[s] = Find(root[s]);
            foreach (var (k, l, _) in couplings) if (label[k] == label[l]) root[Find(k)] = Find(l);
            Assert.That(Enumerable.Range(0, m).Select(Find).Distinct().Count(), Is.EqualTo(after), $"trial {trial}: each part connected");
        }
        Assert.That(cut, Is.GreaterThan(50), "groups cut");
    }

    [Test]
    public void ACoarseLevelCutsAPieceWhereItsFiedlerValueIsUnderTheRowsShare()
    {
        // the cells of two layers joined by four faces of 0.3 as a level's rows: one piece by their couplings, cut into
        // its layers exactly where the dense Fiedler value of the rows' couplings is under the share (each coupling weighed
        // once)
        double[] fx = [1, 0, 1, 0, 1, 0, 1, 0], fy = [1, 1, 0, 0, 1, 1, 0, 0], fz = [0.3, 0.3, 0.3, 0.3, 0, 0, 0, 0];
        var op = new VoxelOperator(2, 2, 2, fx, fy, fz, [.. Enumerable.Repeat(0.1, 8)]);
        var diagonal = CellLevel.DiagonalOf(op);
        var couplings = Enumerable.Range(0, 8).SelectMany(s => new[] { (s, s | 1, fx[s]), (s, s | 2, fy[s]), (s, s | 4, fz[s]) })
            .Where(c => c.Item3 > 0).ToArray();
        double fiedler = Spectrum(diagonal, couplings).Values[1];
        var cells = Aggregation.FromOperator(op, diagonal, out var cellRow);
        var (bottleneck, loose) = (Aggregation.BottleneckShare, Aggregation.LooseRows);
        try
        {
            Aggregation.BottleneckShare = 0;
            Aggregation.LooseRows = fiedler * 1.01;
            Assert.That(Aggregation.Coarsen(cells, 0.5, out var parent)!.Rows, Is.EqualTo(2), $"Fiedler value {fiedler}");
            Assert.That(cellRow.Select(r => parent[r]).ToArray(), Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }), "each layer a piece");
            Aggregation.LooseRows = fiedler * 0.99;
            Assert.That(Aggregation.Coarsen(cells, 0.5, out _)!.Rows, Is.EqualTo(1));
        }
        finally { (Aggregation.BottleneckShare, Aggregation.LooseRows) = (bottleneck, loose); }
    }

    [Test]
    public void APieceOverTheLimitIsLeftWhole()
    {
        // rings of four joined by 0.01: far under the share, but seventeen members
        var (diagonal, couplings) = Chain(5, 4, 0.01, 1);
        var first17 = couplings.Where(c => c.Item1 < 17 && c.Item2 < 17).ToArray();
        Assert.That(Split(diagonal[..17], first17, 0.2).Count, Is.EqualTo(1));
        var first16 = couplings.Where(c => c.Item1 < 16 && c.Item2 < 16).ToArray();
        Assert.That(Split(diagonal[..16], first16, 0.2).Count, Is.EqualTo(4), "sixteen are tested");
    }
}
