#!/usr/bin/env bash
# Peak memory of `dcdm solve` per method on one generated file (the solver-core issue's check): the process's
# maximum resident set from GNU time, and the solver's own times.
#   scripts/memory-table.sh [SIZE] [DOMAIN]      default 128 obstacles (compact layout with its flags file)
# Needs /usr/bin/time (Debian: apt-get install time).
source "$(dirname "$0")/table-setup.sh"
n="${1:-128}"; domain="${2:-obstacles}"
$dcdm generate --domain "$domain" --size "$n" --layout compact -o "$tmp" > /dev/null
echo "$domain $n^3, compact layout with --flags ($(git rev-parse --short HEAD), $(date -u +%F))"
echo "| method | peak resident MB | iterations | setup s | solve s | status |"
echo "|---|---|---|---|---|---|"
for method in cg pcg-ic0 dcdm; do
  /usr/bin/time -v $dcdm solve "$tmp/A.mtx" --rhs "$tmp/b.mtx" --flags "$tmp/flags.bin" --method "$method" --json \
    > "$tmp/out.json" 2> "$tmp/time.txt" || true
  peak=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tmp/time.txt")
  python3 - "$method" "$peak" "$tmp/out.json" <<'PY'
import json, sys
method, peak, path = sys.argv[1:]
r = json.load(open(path))
note = " (fallback)" if "fallback" in r.get("details", {}) else ""
print(f"| {method} | {int(peak) / 1024:.0f} | {r['iterations']} | {r['setupSeconds']:.2f} | {r['solveSeconds']:.2f} | {r['status']}{note} |")
PY
done
