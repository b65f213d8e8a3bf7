using Dcdm.Multigrid;

namespace Dcdm.Tests.Multigrid;

/// <summary><see cref="GroupPieces"/> on small groups written out coupling by coupling (each from both its rows).</summary>
public class GroupPiecesTests
{
    static (int Count, int[] Label, bool Split) Pieces(int members, (int K, int L, double W)[] couplings, double share = 0.6, double contact = 0.3)
    {
        var group = new GroupPieces(members, 2 * couplings.Length, share, contact);
        group.Start(members);
        foreach (var (k, l, w) in couplings)
        {
            group.Add(k, l, w);
            group.Add(l, k, w);
        }
        var label = new int[members];
        int count = group.Label(label, out bool split);
        return (count, label, split);
    }

    /// <summary>Rows a..a+3 as a ring of four couplings of weight w (a 2x2 layer of a chamber).</summary>
    static IEnumerable<(int, int, double)> Ring(int a, double w) => [(a, a + 1, w), (a + 1, a + 3, w), (a + 3, a + 2, w), (a + 2, a, w)];

    [Test]
    public void TwoChambersJoinedThroughOneHoleAreTwoPieces()
    {
        // each chamber's rows couple by 4 faces, the hole by 1: the hole is a bottleneck, and each side's 1 across is far
        // below its 16 inside
        var (count, label, split) = Pieces(8, [.. Ring(0, 4), .. Ring(4, 4), (3, 4, 1)]);
        Assert.That(split);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }));
    }

    [Test]
    public void ALadderIsNotCutIntoItsRungs()
    {
        // two slices of a channel two cells across (rings of 2-face couplings), joined by its four rails of one face: each
        // rail is under 0.6 of the rungs, but a slice's 4 across are half its 8 inside
        var (count, _, split) = Pieces(8, [.. Ring(0, 2), .. Ring(4, 2), (0, 4, 1), (1, 5, 1), (2, 6, 1), (3, 7, 1)]);
        Assert.That(split, Is.False);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void ALadderIsCutWhereItsRailsAreWithinTheContactShare()
    {
        // a slice's 4 across against its 8 inside: 0.5, so a contact share of 0.5 lets the split stand
        var (count, label, split) = Pieces(8, [.. Ring(0, 2), .. Ring(4, 2), (0, 4, 1), (1, 5, 1), (2, 6, 1), (3, 7, 1)], contact: 0.5);
        Assert.That(split);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1 }));
    }

    [Test]
    public void ARowHangingOnAWeakCouplingStaysWithItsPiece()
    {
        // a lone row has nothing inside, so its coupling is never too little to cut it off
        var (count, _, split) = Pieces(5, [.. Ring(0, 4), (3, 4, 1)]);
        Assert.That(split, Is.False);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void PiecesOfTheStrongCouplingsAloneWhereNothingIsABottleneck()
    {
        // rows 0-1 and 2-3 apart (no coupling between them), every coupling as strong as the others
        var (count, label, split) = Pieces(4, [(0, 1, 2), (2, 3, 2)]);
        Assert.That(split, Is.False);
        Assert.That(count, Is.EqualTo(2));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 1, 1 }));
    }

    [Test]
    public void NoShareNoSplit()
    {
        var (count, _, split) = Pieces(8, [.. Ring(0, 4), .. Ring(4, 4), (3, 4, 1)], share: 0);
        Assert.That(split, Is.False);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public void OnlyThePieceWhoseSplitStandsIsSplit()
    {
        // rows 0-7: two chambers through a hole (splits); rows 8-15: a ladder (stays whole); labels in first-member order
        (int, int, double)[] ladder = [.. Ring(8, 2), .. Ring(12, 2), (8, 12, 1), (9, 13, 1), (10, 14, 1), (11, 15, 1)];
        var (count, label, split) = Pieces(16, [.. Ring(0, 4), .. Ring(4, 4), (3, 4, 1), .. ladder]);
        Assert.That(split);
        Assert.That(count, Is.EqualTo(3));
        Assert.That(label, Is.EqualTo(new[] { 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2 }));
    }
}
