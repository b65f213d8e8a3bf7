#!/usr/bin/env bash
# The multigrid table of docs/benchmarks.md: pcg-mg on every generated domain kind at each size, and at the
# largest size PETSc's CG with hypre BoomerAMG on the same file (scripts/petsc-cg.py), set-up and solve each.
#   scripts/mg-table.sh [SIZES]      default "32 64 128"; tolerance 1e-6 on the true relative residual
source "$(dirname "$0")/table-setup.sh"
sizes="${1:-32 64 128}"; largest="${sizes##* }"
echo "($(git rev-parse --short HEAD), $(date -u +%F); compact layout with --flags, seed 1)"
echo "| domain | grid | pcg-mg iterations | set-up s | solve s | PETSc CG + BoomerAMG iterations | set-up s | solve s | pcg-mg / BoomerAMG |"
echo "|---|---|---|---|---|---|---|---|---|"
for domain in box smoke spheres obstacles tank; do
  for n in $sizes; do
    $dcdm generate --domain "$domain" --size "$n" --layout compact --seed 1 -o "$tmp/g" > /dev/null
    $dcdm solve "$tmp/g/A.mtx" --rhs "$tmp/g/b.mtx" --flags "$tmp/g/flags.bin" --method pcg-mg --json > "$tmp/mg.json" || true
    hypre=""
    if [ "$n" = "$largest" ] && [ "$peer" = 1 ]; then
      hypre=$("$py" scripts/petsc-cg.py "$tmp/g/A.mtx" "$tmp/g/b.mtx" --pc hypre --repeat 1)
    fi
    python3 - "$domain" "$n" "$tmp/mg.json" "$hypre" <<'PY'
import json, re, sys
domain, n, path, hypre = sys.argv[1:]
r = json.load(open(path))
mg = f"{r['iterations']}{'' if r['status'] == 'Converged' else ' ' + r['status']} | {r['setupSeconds']:.2f} | {r['solveSeconds']:.2f}"
peer = " | | | "
if hypre:
    f = dict(re.findall(r"(\w+)=(\S+)", hypre))
    s, t = float(f["setup_s"]), float(f["solve_s"])
    peer = f" {f['iterations']} | {s:.2f} | {t:.2f} | {(r['setupSeconds'] + r['solveSeconds']) / (s + t):.2f}x"
print(f"| {domain} | {n}^3 | {mg} |{peer} |")
PY
  done
done
