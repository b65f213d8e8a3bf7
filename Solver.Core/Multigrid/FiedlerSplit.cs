namespace Dcdm.Multigrid;

/// <summary>
/// Splits the pieces of one group of rows (a thread's buffers) whose rows hold together too loosely for one coarse
/// function: a piece's generalized Fiedler value, the second smallest eigenvalue of D^-1/2 L D^-1/2 (L the Laplacian of
/// every coupling inside the piece, weak ones too; D the rows' diagonals, which also hold what couples them outside the
/// piece), under a share. Such a piece has a mode that is smooth to the smoother (little energy against the diagonals)
/// but jumps inside the piece, which a constant on the piece cannot correct: two mostly closed cut cells joined through
/// a face a quarter open, each coupled more to its own side of a throat. The piece is cut where the members sorted by
/// its Fiedler vector split with the least normalised cut, each side then split into its connected parts, and the
/// parts tested again (three rounds at most).
/// </summary>
/// <remarks>
/// Most pieces are tested by one dense LDL^T of M + u u^T - share I, with u the normalised null vector D^1/2 1 of M: by
/// Sylvester's law of inertia all its pivots are positive exactly when every eigenvalue of M but u's exceeds the share
/// (u's own is 1, above any share used). Only a piece that fails computes its Fiedler vector (inverse iteration, from
/// the direction of the pivot that failed). Each round builds every tested piece's M once, its members in a run of
/// their own (a block diagonal over the group). Pieces of more than <see cref="MaxPiece"/> rows are left whole.
/// </remarks>
/// <param name="maxMembers">The most rows a group holds.</param>
/// <param name="maxCouplings">The most couplings inside a group, each listed once.</param>
internal sealed class FiedlerSplit(int maxMembers, int maxCouplings)
{
    /// <summary>The largest piece tested (a 16 x 16 dense factor at worst).</summary>
    public const int MaxPiece = 16;

    readonly double[] _diagonal = new double[maxMembers];
    readonly double[] _scale = new double[maxMembers]; // d_k^-1/2
    readonly int[] _from = new int[maxCouplings];
    readonly int[] _to = new int[maxCouplings];
    readonly double[] _weight = new double[maxCouplings];
    readonly int[] _place = new int[maxMembers]; // a member's place in its piece
    readonly int[] _order = new int[maxMembers]; // the members by piece, each piece's in a run
    readonly int[] _size = new int[maxMembers + 1];
    readonly int[] _start = new int[maxMembers + 1]; // a piece's run in _order
    readonly int[] _block = new int[maxMembers + 1]; // a piece's M in _m (size^2 entries, row-major)
    readonly double[] _total = new double[maxMembers]; // a piece's diagonals summed
    readonly bool[] _test = new bool[maxMembers]; // the pieces a round tests
    readonly bool[] _cut = new bool[maxMembers]; // the members of pieces a round cut
    readonly int[] _root = new int[maxMembers];
    readonly double[] _m = new double[maxMembers * MaxPiece];
    readonly double[] _a = new double[MaxPiece * MaxPiece];
    readonly double[] _v = new double[MaxPiece];
    readonly double[] _low = new double[MaxPiece]; // a start for the Fiedler vector (PositiveDefinite)
    readonly bool[] _side = new bool[MaxPiece];
    int _members, _count;

    /// <summary>Starts a group of <paramref name="m"/> rows.</summary>
    public void Start(int m) => (_members, _count) = (m, 0);

    /// <summary>Member k's diagonal (positive).</summary>
    public void Diagonal(int k, double d) => (_diagonal[k], _scale[k]) = (d, 1 / Math.Sqrt(d));

    /// <summary>A coupling -a_kl = w &gt; 0 between members k and l, listed once.</summary>
    public void Add(int k, int l, double w)
    {
        (_from[_count], _to[_count], _weight[_count]) = (k, l, w);
        _count++;
    }

    /// <summary>
    /// Cuts each piece of <paramref name="label"/> (members' pieces 0 .. count-1) whose Fiedler value is under
    /// <paramref name="share"/> (below 1); returns how many pieces there are after, relabelled 0, 1, ... in the order of
    /// their first members.
    /// </summary>
    public int Split(Span<int> label, int count, double share)
    {
        Array.Fill(_test, true, 0, count);
        for (int round = 0; round < 3; round++)
        {
            Build(label, count);
            int next = count;
            for (int p = 0; p < count; p++)
            {
                int n = _size[p];
                if (!_test[p] || n < 2 || n > MaxPiece || !Loose(p, n, share)) continue;
                Sweep(p, n);
                for (int i = 0; i < n; i++)
                {
                    int k = _order[_start[p] + i];
                    _cut[k] = true;
                    if (_side[i]) label[k] = next;
                }
                next++;
            }
            if (next == count) return count;
            count = Connected(label);
            // the next round tests only the parts of pieces cut in this one
            Array.Clear(_test, 0, count);
            for (int k = 0; k < _members; k++)
                if (_cut[k]) (_test[label[k]], _cut[k]) = (true, false);
        }
        return count;
    }

    /// <summary>Each tested piece's M = D^-1/2 L D^-1/2 over its members' places, from one pass over the couplings.</summary>
    void Build(Span<int> label, int count)
    {
        int m = _members;
        Array.Clear(_size, 0, count);
        Array.Clear(_total, 0, count);
        for (int k = 0; k < m; k++)
        {
            int p = label[k];
            _place[k] = _size[p]++;
            _total[p] += _diagonal[k];
        }
        for (int p = 0, run = 0, block = 0; p < count; p++)
        {
            (_start[p], _block[p]) = (run, block);
            run += _size[p];
            if (_test[p] && _size[p] <= MaxPiece) block += _size[p] * _size[p];
            else _block[p] = -1;
        }
        for (int k = 0; k < m; k++) _order[_start[label[k]] + _place[k]] = k;
        for (int p = 0; p < count; p++)
            if (_block[p] >= 0) Array.Clear(_m, _block[p], _size[p] * _size[p]);
        for (int e = 0; e < _count; e++)
        {
            int k = _from[e], l = _to[e], p = label[k];
            if (label[l] != p || _block[p] < 0) continue;
            int n = _size[p], i = _place[k], j = _place[l], b = _block[p];
            double w = _weight[e], sk = _scale[k], sl = _scale[l];
            _m[b + i * n + j] -= w * sk * sl;
            _m[b + j * n + i] -= w * sk * sl;
            _m[b + i * n + i] += w * sk * sk;
            _m[b + j * n + j] += w * sl * sl;
        }
    }

    /// <summary>Whether piece p's Fiedler value is under the share; if so, its vector (scaled by D^-1/2, the sign's
    /// meaning kept) in <see cref="_v"/> by the members' places.</summary>
    bool Loose(int p, int n, double share)
    {
        var m = _m.AsSpan(_block[p], n * n);
        int run = _start[p];
        double total = _total[p];
        // M + u u^T - share I, u_i = sqrt(d_i / total): positive definite exactly when the Fiedler value is above the share
        var a = _a.AsSpan(0, n * n);
        for (int i = 0; i < n; i++)
        {
            double ui = Math.Sqrt(_diagonal[_order[run + i]] / total);
            _v[i] = ui;
            for (int j = 0; j < i; j++) a[i * n + j] = m[i * n + j] + ui * _v[j];
            a[i * n + i] = m[i * n + i] + ui * ui - share;
        }
        if (PositiveDefinite(a, n, _low)) return false;
        for (int i = 0; i < n; i++) // the same without the shift
        {
            for (int j = 0; j < i; j++) a[i * n + j] = m[i * n + j] + _v[i] * _v[j];
            a[i * n + i] = m[i * n + i] + _v[i] * _v[i];
        }
        _low.AsSpan(0, n).CopyTo(_v);
        Fiedler(a, _v, n);
        for (int i = 0; i < n; i++) _v[i] *= _scale[_order[run + i]];
        return true;
    }

    /// <summary>
    /// The side of piece p's cut each member falls on (<see cref="_side"/>, by place): of the cuts between the members
    /// sorted by their Fiedler vector's entries, the one of least normalised cut w(S, S') (1 / vol S + 1 / vol S'), vol the
    /// diagonals summed. The vector's sign alone would cut a chain of three clusters through the middle one, where the
    /// vector is near 0.
    /// </summary>
    void Sweep(int p, int n)
    {
        var m = _m.AsSpan(_block[p], n * n);
        int run = _start[p];
        Span<int> sorted = stackalloc int[n];
        for (int i = 0; i < n; i++) sorted[i] = i;
        for (int i = 1; i < n; i++) // insertion sort by the vector's entry
            for (int j = i; j > 0 && _v[sorted[j]] < _v[sorted[j - 1]]; j--) (sorted[j], sorted[j - 1]) = (sorted[j - 1], sorted[j]);
        Span<bool> inside = stackalloc bool[n];
        inside.Clear();
        double cut = 0, volume = 0, best = double.PositiveInfinity;
        int bestSize = 1;
        for (int size = 1; size < n; size++)
        {
            int i = sorted[size - 1];
            inside[i] = true;
            volume += _diagonal[_order[run + i]];
            double di = 1 / _scale[_order[run + i]];
            for (int j = 0; j < n; j++) // -m_ij d_i^1/2 d_j^1/2 = w_ij
            {
                if (j == i || m[i * n + j] == 0) continue;
                double w = -m[i * n + j] * di / _scale[_order[run + j]];
                cut += inside[j] ? -w : w;
            }
            double score = cut * (1 / volume + 1 / (_total[p] - volume));
            if (score < best) (best, bestSize) = (score, size);
        }
        for (int i = 0; i < n; i++) _side[i] = false;
        for (int size = 0; size < bestSize; size++) _side[sorted[size]] = true;
    }

    /// <summary>Whether the lower triangle of a holds a positive definite matrix (an LDL^T in place, no pivoting).</summary>
    static bool PositiveDefinite(Span<double> a, int n, Span<double> low)
    {
        for (int k = 0; k < n; k++)
        {
            double pivot = a[k * n + k];
            if (!(pivot > 0))
            {
                LowStart(a, n, k, low);
                return false;
            }
            for (int i = k + 1; i < n; i++)
            {
                double f = a[i * n + k] / pivot;
                for (int j = k + 1; j <= i; j++) a[i * n + j] -= f * a[j * n + k];
                a[k * n + i] = f; // L's column k in the upper triangle, which the factor does not read
            }
        }
        return true;
    }

    /// <summary>
    /// Where the factor's pivot k is not positive: y = L^-T e_k on the first k + 1 places (0 after), for which
    /// y^T (M + u u^T - share I) y is that pivot, so y lies mostly along the modes under the share (the Fiedler vector's):
    /// a start for <see cref="Fiedler"/> that an arbitrary one, nearly orthogonal to that mode, is not.
    /// </summary>
    static void LowStart(Span<double> a, int n, int k, Span<double> y)
    {
        y[..n].Clear();
        y[k] = 1;
        for (int j = k - 1; j >= 0; j--)
        {
            double s = 0;
            for (int i = j + 1; i <= k; i++) s -= a[j * n + i] * y[i];
            y[j] = s;
        }
    }

    /// <summary>
    /// The Fiedler vector into v[0..n), from a's lower triangle holding M + u u^T (M a Laplacian scaled by D^-1/2, u its
    /// normalised null vector D^1/2 1 / |D^1/2 1|, whose eigenvalue there is 1): four steps of inverse iteration from the
    /// start v holds (<see cref="LowStart"/>), which find the smallest eigenvalue's vector, the Fiedler vector where the
    /// Fiedler value is under 1. From an arbitrary start (sin(i + 1)) four steps left a plate's corner block (next mode
    /// at twice its value) mixed enough that the sweep cut it into four pieces, not its two layers. a is overwritten by
    /// its Cholesky factor.
    /// </summary>
    static void Fiedler(Span<double> a, Span<double> v, int n)
    {
        for (int k = 0; k < n; k++) // L L^T in the lower triangle (positive definite: a connected piece's M + u u^T)
        {
            double pivot = Math.Sqrt(Math.Max(a[k * n + k], 1e-300));
            a[k * n + k] = pivot;
            for (int i = k + 1; i < n; i++) a[i * n + k] /= pivot;
            for (int i = k + 1; i < n; i++)
                for (int j = k + 1; j <= i; j++) a[i * n + j] -= a[i * n + k] * a[j * n + k];
        }
        for (int step = 0; step < 4; step++)
        {
            for (int i = 0; i < n; i++) // L y = v
            {
                double s = v[i];
                for (int j = 0; j < i; j++) s -= a[i * n + j] * v[j];
                v[i] = s / a[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--) // L^T x = y
            {
                double s = v[i];
                for (int j = i + 1; j < n; j++) s -= a[j * n + i] * v[j];
                v[i] = s / a[i * n + i];
            }
            double norm = 0;
            for (int i = 0; i < n; i++) norm += v[i] * v[i];
            norm = 1 / Math.Sqrt(norm);
            for (int i = 0; i < n; i++) v[i] *= norm;
        }
    }

    /// <summary>Each label's members split into the parts their couplings connect; returns how many parts.</summary>
    int Connected(Span<int> label)
    {
        int m = _members;
        for (int k = 0; k < m; k++) _root[k] = k;
        for (int e = 0; e < _count; e++)
            if (label[_from[e]] == label[_to[e]]) GroupPieces.Union(_root, _from[e], _to[e]);
        for (int k = 0; k < m; k++) _root[k] = GroupPieces.Find(_root, k);
        return GroupPieces.Number(_root, label, m);
    }
}
