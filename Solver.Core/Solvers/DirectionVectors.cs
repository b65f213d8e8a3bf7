namespace Dcdm.Solvers;

/// <summary>
/// The vectors DCDM's loop works in, allocated once at set-up: k + 1 slots of a direction q and its
/// product A q. Each step fills the oldest slot and the k others are the kept directions, so a kept
/// pair is never copied and a solve allocates nothing proportional to n.
/// </summary>
public sealed class DirectionVectors<TVector>
{
    /// <summary>k: the directions each new one is A-orthogonalised against.</summary>
    public int Kept { get; }
    internal TVector[] Q { get; }
    internal TVector[] AQ { get; }
    /// <summary>q.Aq of each slot.</summary>
    internal double[] QAq { get; }
    // scratch for one Gram-Schmidt step: the kept pairs in use and their coefficients
    internal TVector[] KeptQ { get; }
    internal TVector[] KeptAQ { get; }
    internal double[] Coefficients { get; }
    /// <summary>The vectors of one fused multi-dot: the kept A p_j and q, or q and r (k + 2 slots, at least 2).</summary>
    internal TVector[] DotTargets { get; }

    public DirectionVectors(int kept, Func<TVector> allocate)
    {
        if (kept < 0) throw new ArgumentOutOfRangeException(nameof(kept), $"k must be >= 0, got {kept}");
        Kept = kept;
        Q = new TVector[kept + 1];
        AQ = new TVector[kept + 1];
        for (int i = 0; i <= kept; i++) { Q[i] = allocate(); AQ[i] = allocate(); }
        QAq = new double[kept + 1];
        KeptQ = new TVector[kept];
        KeptAQ = new TVector[kept];
        Coefficients = new double[kept];
        DotTargets = new TVector[kept + 2];
    }

    /// <summary>Every vector, for owners that must dispose them.</summary>
    public IEnumerable<TVector> All => Q.Concat(AQ);
}
