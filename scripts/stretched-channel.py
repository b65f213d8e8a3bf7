#!/usr/bin/env python3
"""A channel on a mesh stretched towards its walls, anisotropic both ways: a voxel matrix with per-face coefficients.

Usage: python3 scripts/stretched-channel.py N RATIO WIDTH out-dir
Cells WIDTH x dy x WIDTH on an N^3 grid, dy growing by RATIO a cell from 1 at the walls (y = 0 and y = N) to the middle,
so cells near the walls are WIDTH / 1 flat across y and those in the middle taller than wide where RATIO^(N/2) > WIDTH.
Each face's coefficient is its area over the distance between the cell centres; the walls and x = 0 and the z sides
are Neumann, the outlet beyond x = N - 1 is Dirichlet (p = 0, half a cell away). Writes A.mtx (full grid layout, n^3
rows: `dcdm solve A.mtx` recognises the operator from the file) and b.mtx (N(0,1) times each cell's volume). Plain
Python, no packages: used for docs/benchmarks.md's stretched channel (`dcdm generate --domain graded-channel` is the
same kind of mesh with cubic cells in the middle).
"""
import argparse, random

ap = argparse.ArgumentParser()
ap.add_argument("n", type=int); ap.add_argument("ratio", type=float); ap.add_argument("width", type=float); ap.add_argument("out")
a = ap.parse_args()
n, h = a.n, a.width
half = [a.ratio ** j for j in range(n // 2)]
dy = half + ([a.ratio ** (n // 2)] if n % 2 else []) + half[::-1]  # an odd N's extra cell in the middle
def idx(x, y, z): return x + n * (y + n * z)
size = n * n * n
diag = [0.0] * size
lower = []  # (row, column, value) below the diagonal
for z in range(n):
    for y in range(n):
        for x in range(n):
            i = idx(x, y, z)
            faces = []
            faces.append((idx(x + 1, y, z), dy[y])) if x + 1 < n else None
            faces.append((idx(x, y + 1, z), h * h / ((dy[y] + dy[y + 1]) / 2))) if y + 1 < n else None
            faces.append((idx(x, y, z + 1), dy[y])) if z + 1 < n else None
            for j, c in faces:
                lower.append((j, i, -c)); diag[i] += c; diag[j] += c
            if x + 1 == n: diag[i] += 2 * dy[y]
entries = sorted([(i, i, diag[i]) for i in range(size)] + lower)
with open(f"{a.out}/A.mtx", "w") as f:
    f.write("%%MatrixMarket matrix coordinate real symmetric\n")
    f.write(f"% scripts/stretched-channel.py {n} {a.ratio} {h}: dy from 1 to {max(dy):.4g}, cells {h} wide\n")
    f.write(f"{size} {size} {len(entries)}\n")
    f.write("".join(f"{i + 1} {j + 1} {v!r}\n" for i, j, v in entries))
rng = random.Random(1)
with open(f"{a.out}/b.mtx", "w") as f:
    f.write("%%MatrixMarket matrix array real general\n")
    f.write(f"{size} 1\n")
    f.write("".join(f"{rng.gauss(0, 1) * dy[(i // n) % n] * h * h!r}\n" for i in range(size)))
