#!/usr/bin/env bash
# The simulation table of docs/benchmarks.md: `dcdm simulate EXAMPLE` with each method, one run each, from
# steps.csv: the first step's set-up, then over the warm-started steps (1 on) the mean iterations, solve and
# re-bind time per step, and the largest divergence left after a projection (relative, L2 over the fluid cells).
#   scripts/simulate-table.sh [EXAMPLE] [SIZE] [STEPS] [METHODS]   default smoke 64 30 "pcg-ic0 pcg-mg dcdm"
source "$(dirname "$0")/table-setup.sh"
example="${1:-smoke}"; n="${2:-64}"; steps="${3:-30}"; methods="${4:-pcg-ic0 pcg-mg dcdm}"
echo "($(git rev-parse --short HEAD), $(date -u +%F), load average $(cut -d' ' -f1-3 /proc/loadavg); dcdm simulate $example --size $n --steps $steps --tol 1e-6)"
echo "| method | unknowns (last step) | set-up s (step 0) | mean iterations | mean solve s | mean re-bind s | largest divergence after / before | wall s |"
echo "|---|---|---|---|---|---|---|---|"
for method in $methods; do
  start=$(date +%s.%N)
  $dcdm simulate "$example" --size "$n" --steps "$steps" --method "$method" --out "$tmp/$method" --frame-every 0 > /dev/null || true
  wall=$(echo "$(date +%s.%N) - $start" | bc)
  python3 - "$method" "$tmp/$method/steps.csv" "$wall" <<'PY'
import csv, sys
method, path, wall = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
warm = rows[1:] or rows
mean = lambda key: sum(float(r[key]) for r in warm) / len(warm)
failed = sum(r["status"] != "Converged" for r in rows)
print(f"| {method}{f' ({failed} not converged)' if failed else ''} | {rows[-1]['unknowns']} | {float(rows[0]['setup_s']):.2f} | {mean('iterations'):.1f} "
      f"| {mean('solve_s'):.3f} | {mean('rebind_s'):.3f} | {max(float(r['div_relative_l2']) for r in rows):.1e} | {float(wall):.0f} |")
PY
done
