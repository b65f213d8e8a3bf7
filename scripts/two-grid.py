#!/usr/bin/env python3
"""What a smoother prolongation could earn: a two-grid PCG on a voxel system, the coarse level solved exactly.

Usage: python3 scripts/two-grid.py DIR [SWEEPS]   (DIR holds A.mtx, b.mtx and flags.bin from `dcdm generate`)

The coarse unknowns are the connected pieces of 2x2x2 blocks of the unknowns (joined by their couplings inside the
block), as dcdm's first level makes them without its refinements (no P entry of 1.4 next to air, no cut of loose
pieces). Two prolongations are compared: piecewise constant (P0, dcdm's) and P0 smoothed once by damped Jacobi,
P = (I - 4 / (3 rho) D^-1 A) P0 (smoothed aggregation, rho the spectral radius of D^-1 A). Around the exact coarse
solve, SWEEPS (default 3) lexicographic Gauss-Seidel sweeps forward before and backward after, so the preconditioner
is symmetric. Prints the iterations to a true relative residual of 1e-6 and the coarse operator's entries per row.
Needs numpy and scipy (Debian: python3-scipy); a prototype for docs/benchmarks.md, not a solver (slow at 128^3).
"""
import sys, time
import numpy as np, scipy.io as sio, scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from scipy.sparse.linalg import splu, spsolve_triangular

folder = sys.argv[1]
sweeps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
raw = open(f"{folder}/flags.bin", "rb").read()
nl = raw.index(b"\n")
nx, ny, nz = map(int, raw[:nl].split()[1:])
flags = np.frombuffer(raw[nl + 1:], dtype=np.uint8)
A = sio.mmread(f"{folder}/A.mtx").tocsr()
b = np.asarray(sio.mmread(f"{folder}/b.mtx")).ravel()
n = A.shape[0]
cells = np.flatnonzero(flags == 1)  # the compact layout: the fluid cells in grid order
if len(cells) != n:  # the full layout: a row per cell, zero off the unknowns
    cells = np.flatnonzero(np.asarray(abs(A).sum(1)).ravel() > 0)
    A, b = A[cells][:, cells].tocsr(), b[cells]
    n = A.shape[0]
keep = A.diagonal() > 0  # cells walled in on every side have no equation
if not keep.all():
    A, b, cells = A[keep][:, keep].tocsr(), b[keep], cells[keep]
    n = A.shape[0]
x, y, z = cells % nx, cells // nx % ny, cells // (nx * ny)
block = x // 2 + (nx + 1) // 2 * (y // 2 + (ny + 1) // 2 * (z // 2))
entries = A.tocoo()
inside = block[entries.row] == block[entries.col]
joined = sp.csr_matrix((np.ones(inside.sum()), (entries.row[inside], entries.col[inside])), shape=(n, n))
_, piece = connected_components(joined, directed=False)
P0 = sp.csr_matrix((np.ones(n), (np.arange(n), piece)), shape=(n, piece.max() + 1))
Dinv = sp.diags(1 / A.diagonal())
lower, upper = sp.tril(A, 0, format="csr"), sp.triu(A, 0, format="csr")


def preconditioner(P):
    Ac = (P.T @ A @ P).tocsc()
    # closed pockets make Ac singular; a shift of 1e-10 of its mean diagonal lets the factor through
    lu = splu((Ac + 1e-10 * Ac.diagonal().mean() * sp.identity(Ac.shape[0])).tocsc())

    def apply(r):
        e = np.zeros_like(r)
        for _ in range(sweeps):
            e += spsolve_triangular(lower, r - A @ e, lower=True)
        e += P @ lu.solve(P.T @ (r - A @ e))
        for _ in range(sweeps):
            e += spsolve_triangular(upper, r - A @ e, lower=False)
        return e

    return apply, Ac


def pcg(apply, tol=1e-6, most=100):
    xk, r = np.zeros(n), b.copy()
    zk = apply(r)
    p, rz, nb = zk.copy(), r @ zk, np.linalg.norm(b)
    for k in range(1, most + 1):
        Ap = A @ p
        a = rz / (p @ Ap)
        xk += a * p
        r -= a * Ap
        if np.linalg.norm(b - A @ xk) <= tol * nb:
            return k
        zk = apply(r)
        rz, previous = r @ zk, rz
        p = zk + (rz / previous) * p
    return most


v = np.random.default_rng(1).standard_normal(n)
for _ in range(30):
    v = Dinv @ (A @ v)
    v /= np.linalg.norm(v)
rho = v @ (Dinv @ (A @ v))
print(f"{folder}: {n} unknowns, {P0.shape[1]} aggregates ({n / P0.shape[1]:.2f}x), rho(D^-1 A) {rho:.3f}, sweeps {sweeps}")
for name, P in [("piecewise constant", P0), ("smoothed once", ((sp.identity(n) - 4 / (3 * rho) * Dinv @ A) @ P0).tocsr())]:
    start = time.time()
    apply, Ac = preconditioner(P)
    its = pcg(apply)
    print(f"  {name}: {its} iterations; coarse {Ac.shape[0]} rows, {Ac.nnz / Ac.shape[0]:.1f} entries a row;"
          f" P {P.nnz / n:.1f} a row ({time.time() - start:.0f} s)")
