#!/usr/bin/env bash
# GPU build and benchmark in one go (see ../shared/GPU.md).
#   scripts/gpu-bench.sh publish   # here: self-contained single file (no libtorch; SkiaSharp and HarfBuzz beside it) into .device/dcdm (about 54 MB)
#   scripts/gpu-bench.sh run       # on the GPU machine: every measurement, results under $OUT (or ./gpu-results)
#   scripts/gpu-bench.sh profile   # on the GPU machine, opt-in: Nsight Compute sections of the grid kernels
# Test the run step on the CPU first: DEVICE=ilgpu-cpu SIZES="16" SOLVE_SIZE=12 scripts/gpu-bench.sh run
# (DCDM=path runs another dcdm binary; SIZES="" skips the benchmarks.)
# Each size runs both domains (DOMAINS="obstacles tank") at each ILGPU optimization level (OPTIMIZATIONS="O1 O2"):
# the grid CG kernels beside the copy ceiling, the multigrid V-cycle's kernels and pcg-mg (set-up + solve beside the grid CG's,
# the row "gpu pcg-mg set-up + solve"), CSR CG and DCDM with the shipped model. Kernel rows carry host and device (CUDA event) times.
# Then solves through the CLI: a grid's compact system (cg, pcg-mg, DCDM), a two-phase and a flat-cells one (pcg-mg, DCDM), device and CPU,
# and two time loops (dcdm simulate liquid and cut-cell, DCDM), device and CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  publish)
    dotnet publish Solver.Cli -c Release -r linux-x64 --self-contained -p:PublishSingleFile=true \
      -p:EnableCompressionInSingleFile=true -p:WithLibTorch=false -o .device/dcdm
    du -sh .device/dcdm ;;
  run)
    out="${OUT:-gpu-results}"; mkdir -p "$out"
    dcdm="${DCDM:-.device/dcdm/dcdm}"
    device="${DEVICE:-gpu}"
    sizes="${SIZES-128 256}"
    solve_size="${SOLVE_SIZE:-64}"
    { command -v nvidia-smi > /dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; } | tee "$out/device.txt" || true
    "$dcdm" info | tee "$out/info.txt"
    for n in $sizes; do
      for domain in ${DOMAINS:-obstacles tank}; do
        for opt in ${OPTIMIZATIONS:-O1 O2}; do
          "$dcdm" bench --device "$device" --size "$n" --domain "$domain" --optimization "$opt" --repeat "${REPEAT:-5}" \
            --json-file "$out/bench-$domain-$n-$opt.json" | tee "$out/bench-$domain-$n-$opt.txt"
        done
      done
    done
    # the same compact system through the CLI: CSR CG on the device, the grid CG on the device (--flags), CG on the CPU;
    # then pcg-mg and DCDM on the device and on the CPU (best of 3 in one process each)
    [ "$solve_size" -gt 0 ] || exit 0
    tmp=$(mktemp -d)
    "$dcdm" generate --domain obstacles --size "$solve_size" --layout compact -o "$tmp" > /dev/null
    d="${device/ilgpu-cpu/cpu}"
    [ "$device" = ilgpu-cpu ] && d=ilgpu-cpu
    for extra in "--device $d" "--device $d --flags $tmp/flags.bin" "--device cpu"; do
      # shellcheck disable=SC2086 # extra is several words on purpose
      "$dcdm" solve "$tmp/A.mtx" --rhs "$tmp/b.mtx" --method cg $extra --tol 1e-6 | tee -a "$out/solve.txt" || true
    done
    for extra in "--device $d --flags $tmp/flags.bin" "--device cpu --flags $tmp/flags.bin"; do
      for method in pcg-mg dcdm "dcdm --model kcycle"; do # dcdm: the device's default vcycle model; kcycle: the aggregate K-cycle
        # shellcheck disable=SC2086
        "$dcdm" solve "$tmp/A.mtx" --rhs "$tmp/b.mtx" --method $method $extra --tol 1e-6 --repeat 3 | tee -a "$out/solve.txt" || true
      done
    done
    # per-face coefficients (a two-phase system, density ratio 1000; flat cells, z faces 16x, relaxed by lines): pcg-mg and
    # DCDM (the operator's K-cycle) on the device and the CPU
    "$dcdm" generate --domain two-phase --size "$solve_size" --layout compact -o "$tmp/two-phase" > /dev/null
    "$dcdm" generate --domain flat-cells --size "$solve_size" --layout compact -o "$tmp/flat-cells" > /dev/null
    for system in two-phase flat-cells; do
      for extra in "--device $d" "--device cpu"; do
        for method in pcg-mg dcdm; do
          # shellcheck disable=SC2086
          "$dcdm" solve "$tmp/$system/A.mtx" --rhs "$tmp/$system/b.mtx" --flags "$tmp/$system/flags.bin" --method $method $extra \
            --tol 1e-6 --repeat 3 | tee -a "$out/solve.txt" || true
        done
      done
    done
    rm -rf "$tmp"
    # a time loop's solves on the device: the liquid's domain changes every step (a device set-up each step), the
    # cut-cell's per-face coefficients stay (one set-up); the per-step tables beside the CPU's
    for example in liquid cut-cell; do
      for d2 in "$d" cpu; do
        "$dcdm" simulate "$example" --size "${SIM_SIZE:-$solve_size}" --steps "${SIM_STEPS:-8}" --device "$d2" --out "$out/simulate-$example-$d2" \
          --frame-every 0 | tee -a "$out/simulate.txt" || true
      done
    done ;;
  profile)
    # Nsight Compute on the grid kernels of one bench (opt-in, after run): memory throughput, occupancy, launch
    # figures per kernel, to see why a kernel is below the copy rate. NCU_SIZE, NCU_OPT, NCU_COUNT (profiled launches).
    out="${OUT:-gpu-results}"; mkdir -p "$out"
    dcdm="${DCDM:-.device/dcdm/dcdm}"
    ncu=$(command -v ncu || ls /usr/local/cuda*/bin/ncu /opt/nvidia/nsight-compute/*/ncu 2> /dev/null | head -1 || true)
    [ -n "$ncu" ] || { echo "profile: no ncu (Nsight Compute) on this machine" | tee "$out/ncu.txt"; exit 0; }
    timeout "${NCU_TIMEOUT:-300}" "$ncu" --target-processes all \
      -k "regex:Kernel_(CopyQuadsKernel|StencilQuads|DirectionAndProduct|UpdateResidual|GaussSeidelColour|SorColour|ResidualKernel|RestrictKernel|ProlongAdd)" \
      -c "${NCU_COUNT:-80}" --section SpeedOfLight --section MemoryWorkloadAnalysis --section Occupancy --section LaunchStats \
      "$dcdm" bench --device gpu --size "${NCU_SIZE:-256}" --domain obstacles --repeat 1 --optimization "${NCU_OPT:-O1}" \
      > "$out/ncu-${NCU_OPT:-O1}.txt" 2>&1 || echo "profile: ncu ended with $? (see $out/ncu-${NCU_OPT:-O1}.txt)"
    grep -E "^  Kernel_|DRAM Throughput|Memory Throughput|Achieved Occupancy|Registers Per Thread|Duration" "$out/ncu-${NCU_OPT:-O1}.txt" | head -200 || true ;;
  *) echo "usage: $0 publish|run|profile" >&2; exit 2 ;;
esac
