#!/usr/bin/env bash
# The iteration table of docs/benchmarks.md: every SPD matrix of data/matrices with CG, Jacobi-PCG and
# IC(0)-PCG at one tolerance on the true relative residual (b = A * ones, fluid16 with its own b).
#   scripts/iteration-table.sh [TOL]      default 1e-8
source "$(dirname "$0")/table-setup.sh"
tol="${1:-1e-8}"
echo "| matrix | CG | PCG Jacobi | PCG IC(0) |"
echo "|---|---|---|---|"
for name in nos6 lap3D_7pt_n20 Laplace3D10 1138_bus ani4 fluid16; do
  file="data/matrices/$name.mtx"; rhs=()
  if [ "$name" = fluid16 ]; then file=data/matrices/fluid16_A.mtx; rhs=(--rhs data/matrices/fluid16_b.mtx); fi
  row="| $name"
  for method in cg pcg-jacobi pcg-ic0; do
    its=$($dcdm solve "$file" "${rhs[@]}" --method "$method" --tol "$tol" --json | python3 -c 'import json,sys; r=json.load(sys.stdin); print(r["iterations"] if r["status"]=="Converged" else r["status"])')
    row="$row | $its"
  done
  echo "$row |"
done
