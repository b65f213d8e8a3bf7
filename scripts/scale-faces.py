#!/usr/bin/env python3
"""Per-face coefficients on a generated domain: each coupling of a symmetric Matrix Market Laplacian times 10^u.

Usage: python3 scripts/scale-faces.py A.mtx out.mtx --spread S [--seed 3]
u is drawn uniformly from [-S, S] for each stored off-diagonal entry (each face once), and both rows' diagonals move
with it so every row keeps its sum (a Dirichlet term stays as it was). The pattern, the unknowns and the cell flags
are those of A, so `dcdm solve out.mtx --flags` takes the voxel operator's path (per-face coefficients) where A took
the grid's. Plain Python, no packages: used for docs/benchmarks.md's tunnels with random faces.
"""
import argparse, random

ap = argparse.ArgumentParser()
ap.add_argument("matrix"); ap.add_argument("out")
ap.add_argument("--spread", type=float, required=True); ap.add_argument("--seed", type=int, default=3)
a = ap.parse_args()
rng = random.Random(a.seed)

with open(a.matrix) as f:
    lines = f.read().splitlines()
header = lines[0]
if "symmetric" not in header:
    raise SystemExit(f"{a.matrix}: expected a symmetric coordinate matrix (one triangle stored), got '{header}'")
body = [l for l in lines[1:] if l and not l.startswith("%")]
n = int(body[0].split()[0])
diagonal, couplings = {}, []
for line in body[1:]:
    i, j, v = line.split()
    i, j, v = int(i), int(j), float(v)
    if i == j: diagonal[i] = v
    else: couplings.append((i, j, v))
scaled = []
for i, j, v in couplings:
    f = 10 ** rng.uniform(-a.spread, a.spread)
    scaled.append((i, j, v * f))
    diagonal[i] += -v * (f - 1)  # v < 0: the diagonal grows with the face's coefficient
    diagonal[j] += -v * (f - 1)
with open(a.out, "w") as o:
    o.write(header + "\n")
    o.write(f"% {a.matrix} with each face's coefficient times 10^u, u in [-{a.spread}, {a.spread}], seed {a.seed}\n")
    o.write(f"{n} {n} {len(diagonal) + len(scaled)}\n")
    for i in sorted(diagonal): o.write(f"{i} {i} {diagonal[i]!r}\n")
    for i, j, v in scaled: o.write(f"{i} {j} {v!r}\n")
