#!/usr/bin/env bash
# GPU build and benchmark in one go (see ../shared/GPU.md).
#   scripts/gpu-bench.sh publish   # here: self-contained single file without libtorch into .device/dcdm (about 43 MB)
#   scripts/gpu-bench.sh run       # on the GPU machine: every measurement, results under $OUT (or ./gpu-results)
# Test the run step on the CPU first with DEVICE=ilgpu-cpu SIZES="12" scripts/gpu-bench.sh run
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  publish)
    dotnet publish Solver.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
      -p:EnableCompressionInSingleFile=true -p:WithLibTorch=false -o .device/dcdm
    du -sh .device/dcdm ;;
  run)
    out="${OUT:-gpu-results}"; mkdir -p "$out"
    dcdm=.device/dcdm/dcdm
    device="${DEVICE:-gpu}"
    sizes="${SIZES:-128 256}"
    "$dcdm" info | tee "$out/info.txt"
    for n in $sizes; do
      "$dcdm" bench --device "$device" --size "$n" --repeat 5 | tee "$out/bench-$n.txt"
      "$dcdm" bench --device "$device" --size "$n" --repeat 5 --json > "$out/bench-$n.json"
    done
    n=$(echo "$sizes" | awk '{print $1}')
    "$dcdm" generate --domain obstacles --size "$n" --layout compact -o "$out/problem" > /dev/null
    "$dcdm" solve "$out/problem/A.mtx" --rhs "$out/problem/b.mtx" --method cg --device "${DEVICE/ilgpu-cpu/auto}" --json > "$out/solve-cg.json" || true
    rm -rf "$out/problem" ;;
  *) echo "usage: $0 publish|run" >&2; exit 2 ;;
esac
