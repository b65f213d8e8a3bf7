#!/usr/bin/env bash
# The DCDM benchmark table of docs/benchmarks.md: DCDM (each model given), CG, IC(0)-PCG and pcg-mg on generated
# domains the models never saw (obstacles, free surface), same relative tolerance on the true residual.
#   scripts/dcdm-table.sh [SIZES] [MODELS...]      e.g. scripts/dcdm-table.sh "32 64 128" data/models/stencil.safetensors
# Prints a markdown table; the solve times are the solvers' own (file reading excluded).
source "$(dirname "$0")/table-setup.sh"
sizes="${1:-32 64 128}"; shift || true
models=("$@"); [ ${#models[@]} -gt 0 ] || models=(data/models/stencil.safetensors)
tol="${TOL:-1e-6}"
echo "| grid | domain | method | iterations | setup s | solve s | true residual | note |"
echo "|---|---|---|---|---|---|---|---|"
for n in $sizes; do
  for domain in obstacles tank; do
    dir="$tmp/$domain$n"
    $dcdm generate --domain "$domain" --size "$n" --layout full --seed 7 -o "$dir" > /dev/null
    run() { # label, solve args...
      local label="$1"; shift
      $dcdm solve "$dir/A.mtx" --rhs "$dir/b.mtx" --tol "$tol" --json "$@" > "$tmp/r.json" || true
      python3 - "$n" "$domain" "$label" "$tmp/r.json" <<'PY'
import json, sys
n, domain, label, path = sys.argv[1:]
r = json.load(open(path))
d = r.get("details", {})
note = "; ".join(f"{k}: {v}" for k, v in d.items() if k in ("fallback", "fallback iterations", "replaced directions"))
if r["status"] != "Converged": note = (r["status"] + " " + note).strip()
print(f"| {n}^3 | {domain} | {label} | {r['iterations']} | {r['setupSeconds']:.2f} | {r['solveSeconds']:.2f} | {r['relativeResidual']:.1e} | {note} |")
PY
    }
    run cg --method cg
    run "pcg-ic0" --method pcg-ic0
    run "pcg-mg" --method pcg-mg
    for m in "${models[@]}"; do run "dcdm $(basename "$m" .safetensors)" --method dcdm --model "$m"; done
  done
done
