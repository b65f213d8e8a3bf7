using System.Runtime.CompilerServices;

namespace Dcdm.Multigrid;

/// <summary>
/// The pieces of one group of rows as <see cref="Aggregation.Coarsen"/> makes them (a thread's buffers): the rows joined
/// by their strong couplings inside the group, each piece then split at its bottlenecks where the split stands.
/// </summary>
/// <remarks>
/// A bottleneck is a coupling under a share (<see cref="Aggregation.BottleneckShare"/>) of the strongest coupling either
/// of its rows has inside the group: a small hole in a plate one cell thick, where the chambers on its two sides each
/// couple more fully inside themselves. One coarse function over both chambers serves neither, since the error jumps
/// at the plate. A split stands only where each part's couplings across it are at most a share
/// (<see cref="Aggregation.SplitContact"/>) of those inside the part: a ladder (a channel two cells across, its rungs
/// twice its rails) is not cut into its rungs, nor is voxel noise, whose parts touch as much across as inside.
/// </remarks>
/// <param name="maxMembers">The most rows a group holds.</param>
/// <param name="maxCouplings">The most couplings a group's rows hold inside it, each direction counted.</param>
/// <param name="bottleneckShare">0: no piece splits.</param>
/// <param name="splitContact">A part's couplings across against those inside, at most, for its split to stand.</param>
internal sealed class GroupPieces(int maxMembers, int maxCouplings, double bottleneckShare, double splitContact)
{
    readonly int[] _from = new int[maxCouplings];
    readonly int[] _to = new int[maxCouplings];
    readonly double[] _weight = new double[maxCouplings];
    readonly bool[] _bottleneck = new bool[maxCouplings];
    readonly int[] _whole = new int[maxMembers];
    readonly int[] _part = new int[maxMembers];
    readonly double[] _strongest = new double[maxMembers];
    readonly double[] _inside = new double[maxMembers];
    readonly double[] _across = new double[maxMembers];
    readonly bool[] _stays = new bool[maxMembers];
    int _count;
    int _members;

    /// <summary>Starts a group of <paramref name="m"/> rows, each a piece of its own.</summary>
    public void Start(int m)
    {
        _members = m;
        _count = 0;
        for (int k = 0; k < m; k++) (_whole[k], _strongest[k]) = (k, 0);
    }

    /// <summary>Member k's strong coupling -a_kl with member l (each direction as its row holds it).</summary>
    public void Add(int k, int l, double weight)
    {
        Union(_whole, k, l);
        if (weight > _strongest[k]) _strongest[k] = weight;
        (_from[_count], _to[_count], _weight[_count]) = (k, l, weight);
        _count++;
    }

    /// <summary>Labels each member with its piece (0, 1, ... in the order of their first members); returns how many
    /// pieces; <paramref name="split"/>: whether a bottleneck split a piece.</summary>
    public int Label(Span<int> label, out bool split)
    {
        int m = _members;
        Flatten(_whole, m);
        split = Split();
        return Number(split ? _part : _whole, label, m);
    }

    /// <summary>
    /// Labels members 0 .. m-1 by their roots (flat, each at most its member's index, as <see cref="Union"/> keeps them):
    /// 0, 1, ... in the order of their first members; returns how many labels.
    /// </summary>
    internal static int Number(ReadOnlySpan<int> root, Span<int> label, int m)
    {
        label[..m].Fill(-1);
        int count = 0;
        for (int k = 0; k < m; k++)
        {
            int r = root[k];
            if (label[r] < 0) label[r] = count++; // r <= k: a root's label is written before its members read it
            label[k] = label[r];
        }
        return count;
    }

    /// <summary>Whether a whole piece splits at its bottlenecks; then <see cref="_part"/> holds every member's piece's
    /// first member (<see cref="_whole"/>, flat, each member's whole piece's).</summary>
    bool Split()
    {
        int m = _members, bottlenecks = 0;
        if (bottleneckShare <= 0 || m < 3) return false; // two rows' only coupling is the strongest of both
        var below = _strongest; // from here on each row's bottleneck threshold
        for (int k = 0; k < m; k++) below[k] *= bottleneckShare;
        for (int c = 0; c < _count; c++)
        {
            double w = _weight[c];
            bool bottleneck = _bottleneck[c] = w < below[_from[c]] || w < below[_to[c]];
            if (bottleneck) bottlenecks++;
        }
        if (bottlenecks == 0) return false;
        for (int k = 0; k < m; k++) (_part[k], _inside[k], _across[k], _stays[k]) = (k, 0, 0, false);
        for (int c = 0; c < _count; c++) if (!_bottleneck[c]) Union(_part, _from[c], _to[c]);
        Flatten(_part, m);
        for (int c = 0; c < _count; c++)
        {
            int p = _part[_from[c]];
            if (_part[_to[c]] == p) _inside[p] += 0.5 * _weight[c]; // each coupling comes from both its rows
            else _across[p] += _weight[c];
        }
        for (int k = 0; k < m; k++)
            if (_part[k] == k && _across[k] > splitContact * _inside[k]) _stays[_whole[k]] = true;
        bool split = false; // a whole piece that does not stay and holds more than one part (the part of its first member has the same root)
        for (int k = 0; k < m; k++)
        {
            int w = _whole[k];
            if (_stays[w]) _part[k] = w;
            else split |= _part[k] != w;
        }
        return split;
    }

    /// <summary>Every member's root in place: a parent has a smaller index than its child (<see cref="Union"/>), so
    /// one pass upward finds each parent's root already there.</summary>
    static void Flatten(int[] root, int m)
    {
        for (int k = 0; k < m; k++) root[k] = root[root[k]];
    }

    /// <summary>The root of s's set, halving the path to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int Find(Span<int> root, int s)
    {
        while (root[s] != s) s = root[s] = root[root[s]];
        return s;
    }

    /// <summary>Joins two sets, the smaller index as the root (so a parent's index is below its child's).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void Union(Span<int> root, int a, int b)
    {
        a = Find(root, a); b = Find(root, b);
        if (a < b) root[b] = a; else if (b < a) root[a] = b;
    }
}
