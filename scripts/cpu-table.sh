#!/usr/bin/env bash
# The CPU tables of docs/benchmarks.md: `dcdm bench` on the spheres domain, then PETSc's
# CG and CG + ICC(0) on the same system written by `dcdm generate` (same grid, seed and b as the bench).
#   scripts/cpu-table.sh [SIZE] [REPEAT]      default 64 5
# PETSc needs Debian's python3-petsc4py-real and python3-scipy; without them only dcdm's rows print.
source "$(dirname "$0")/table-setup.sh"
n="${1:-64}"; repeat="${2:-5}"
echo "== dcdm bench --size $n --repeat $repeat ($(git rev-parse --short HEAD), $(date -u +%F))"
$dcdm bench --size "$n" --domain spheres --repeat "$repeat"
$dcdm generate --domain spheres --size "$n" --layout compact --seed 1 -o "$tmp" > /dev/null
if [ "$peer" = 1 ]; then
  for pc in none icc; do
    echo "== PETSc CG, -pc_type $pc"
    "$py" scripts/petsc-cg.py "$tmp/A.mtx" "$tmp/b.mtx" --pc "$pc" --repeat "$repeat"
  done
else
  echo "== PETSc: python3-petsc4py-real not installed, peer rows skipped"
fi
