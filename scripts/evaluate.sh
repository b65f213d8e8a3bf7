#!/usr/bin/env bash
# The generalisation table of docs/benchmarks.md: DCDM with each model given against CG, IC(0)-PCG and pcg-mg
# (and PETSc's CG with ICC and with hypre BoomerAMG when petsc4py is installed and PETSC=1) on generated
# families, each solved from the same compact file with its flags, tolerance 1e-6 on the true residual.
#   scripts/evaluate.sh [SIZES] [FAMILIES] [MODELS...]   (a model: a file, or kcycle, kcycle:W, vcycle, stencil; default: kcycle and both shipped files)
#   e.g. scripts/evaluate.sh "32 64" "columns rocks sloped pockets dambreak obstacles tank" data/models/*.safetensors
# Name the families a model was not trained on (TrainingDomain.Training: smoke, spheres, pool), so the table
# measures generalisation. KS="0 1 2 4 8" gives a DCDM row per k (directions kept for A-orthogonalisation).
# Prints a markdown table; times are the solvers' own (file reading excluded), the fastest set-up and the fastest
# solve of REPEAT runs in one process (default 3: the first pays the JIT compiler, as a time-stepping code does
# once); REPEAT=1 gives a one-shot command's times.
source "$(dirname "$0")/table-setup.sh"
sizes="${1:-32 64}"; families="${2:-columns rocks sloped pockets dambreak obstacles tank}"; shift 2 || shift $#
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(kcycle data/models/vcycle.safetensors data/models/stencil.safetensors)
tol="${TOL:-1e-6}"; methods="${METHODS:-cg pcg-ic0 pcg-mg}"; repeat="${REPEAT:-3}"; ks="${KS:-2}" # KS="0 1 2 4 8": DCDM's k per row
echo "| grid | family | unknowns | method | iterations | set-up s | solve s | total / dcdm pcg-ic0 | note |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $sizes; do
  for family in $families; do
    dir="$tmp/$family$n"
    $dcdm generate --domain "$family" --size "$n" --layout compact --seed 7 -o "$dir" > /dev/null
    rows=$(head -c 4096 "$dir/A.mtx" | grep -v '^%' | head -1 | cut -d' ' -f1)
    ic0=""
    row() { # label, json file
      python3 - "$n" "$family" "$rows" "$1" "$2" "$ic0" <<'PY'
import json, sys
n, family, rows, label, path, ic0 = sys.argv[1:]
r = json.load(open(path))
d = r.get("details", {})
note = "; ".join(f"{k}: {v}" for k, v in d.items() if k in ("fallback", "fallback iterations", "replaced directions") and v not in (0, "0"))
if r["status"] != "Converged": note = (r["status"] + " " + note).strip()
total = r["setupSeconds"] + r["solveSeconds"]
ratio = f"{total / float(ic0):.2f}x" if ic0 else ""
print(f"| {n}^3 | {family} | {rows} | {label} | {r['iterations']} | {r['setupSeconds']:.3f} | {r['solveSeconds']:.3f} | {ratio} | {note} |")
PY
    }
    solve() { $dcdm solve "$dir/A.mtx" --rhs "$dir/b.mtx" --flags "$dir/flags.bin" --tol "$tol" --repeat "$repeat" --json "$@" > "$tmp/r.json" || true; }
    solve --method pcg-ic0
    ic0=$(python3 -c "import json; r = json.load(open('$tmp/r.json')); print(r['setupSeconds'] + r['solveSeconds'])")
    cp "$tmp/r.json" "$tmp/ic0.json"
    for m in $methods; do
      if [ "$m" = pcg-ic0 ]; then row "$m" "$tmp/ic0.json"; else solve --method "$m"; row "$m" "$tmp/r.json"; fi
    done
    for m in "${models[@]}"; do
      for k in $ks; do
        label="dcdm $(basename "$m" .safetensors)"; [ "$ks" = 2 ] || label="$label k=$k"
        solve --method dcdm --model "$m" --k "$k"; row "$label" "$tmp/r.json"
      done
    done
    if [ "${PETSC:-0}" = 1 ] && [ "$peer" = 1 ]; then
      for pc in icc hypre; do
        f=$("$py" scripts/petsc-cg.py "$dir/A.mtx" "$dir/b.mtx" --pc "$pc" --tol "$tol" --repeat "$repeat")
        python3 - "$n" "$family" "$rows" "$pc" "$f" "$ic0" <<'PY'
import re, sys
n, family, rows, pc, out, ic0 = sys.argv[1:]
f = dict(re.findall(r"(\w+)=(\S+)", out))
s, t = float(f["setup_s"]), float(f["solve_s"])
print(f"| {n}^3 | {family} | {rows} | PETSc CG + {'ICC' if pc == 'icc' else 'BoomerAMG'} | {f['iterations']} | {s:.3f} | {t:.3f} | {(s + t) / float(ic0):.2f}x | |")
PY
      done
    fi
  done
done
