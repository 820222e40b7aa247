#!/usr/bin/env bash
# gpu-check.sh — the native CUDA engine's checks and benchmarks on the GPU machine, in stages.
# Each stage fits in one device call (run tool, 10 minutes); results go under $OUT (or ./out).
#   validate  cuda_validate over all kernels and engine configurations (+ pydoc-gpt2-8m);
#             SB_VALIDATE_ARGS="--only kernels|quant|engine" narrows it
#   seeds     cuda_validate --only engine once per seed in SB_VALIDATE_SEEDS (default "1 2 3"):
#             other prompts and inputs than the default seed's (validate-seeds.log)
#   accuracy  cuda_validate --only accuracy: KL of the fp16/int8/fp8 engines to the fp64 reference on
#             pydoc-gpt2-8m over the tutorial text (first SB_ACCURACY_BYTES, default 32768),
#             int8/fp8 calibrated on library/stdtypes.rst.txt as in TR118 (accuracy.log)
#   sanitize  compute-sanitizer memcheck and racecheck of cuda_validate --small
#   bench     sb_cuda_bench: ceilings, six scenarios for tiny-gpt2 / gpt2 (fp32/fp16/bf16) / gpt2-xl
#             (int8/fp8 speed: SB_BENCH_ARGS="--models gpt2,gpt2-large,gpt2-xl --precisions fp16,int8,fp8")
#   bench-base  the same with the baseline binary staged by prepare (SB_CUDA_BASE_BENCH=path)
#   profile   ncu: device time of every kernel of one eager gpt2 fp16 decode step (profile.log;
#             SB_PROFILE_MODEL=gpt2-xl for another model); kernels run serialized under ncu
# Stage time limits (seconds): SB_VALIDATE_TIMEOUT_S, SB_SANITIZE_TIMEOUT_S, SB_BENCH_TIMEOUT_S,
# SB_PROFILE_TIMEOUT_S.
#   peer      scripts/hf_peer_bench.py: transformers eager and torch.compile on the same card
# Binaries are built on the development machine (nvcc 13, sm_90) and carried; they need only the
# GPU machine's libcublasLt.so.13 (cudart is static).  Prepare before the call:
#   scripts/gpu-check.sh prepare      # copies binaries + pydoc model into .gpu-cuda/ (ignored)
#                                     # and packs them into .gpu-cuda/stage.tar.xz (xz -9)
# then run(carry=[".gpu-cuda/stage.tar.xz"], command="scripts/gpu-check.sh validate sanitize bench")
# (the run tool's 64 MiB limit counts the tracked tree too; unpacked, the stage is ~52 MB).
# Files written under $OUT (7 at most, under the run tool's limit of 8): card.txt (nvidia-smi and
# ldd), validate.log, validate-seeds.log, accuracy.log, sanitize.log, bench.log, bench.jsonl,
# peer.log, peers.jsonl, profile.log: at most 8 of them per call (the run tool's limit).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAGE_DIR=${SB_GPU_DIR:-$ROOT/.gpu-cuda}
OUT=${OUT:-$ROOT/out/gpu-check}
BUILD=${SB_CUDA_BUILD:-$ROOT/build/cuda2}
mkdir -p "$OUT"
status=0

if [[ "${1:-}" == "prepare" ]]; then
  mkdir -p "$STAGE_DIR/bin"
  grep -qxF "/.gpu-cuda/" "$ROOT/.git/info/exclude" 2>/dev/null || echo "/.gpu-cuda/" >> "$ROOT/.git/info/exclude"
  rm -f "$STAGE_DIR/bin/"*
  cp "$BUILD/tests/engine_cuda/cuda_validate" "$BUILD/src/engine/cuda/sb_cuda_bench" "$STAGE_DIR/bin/"
  # SB_CUDA_BASE_BENCH=path: a baseline sb_cuda_bench (the previous version) for the bench-base
  # stage, so old and new code are timed on the same warm card in one call.
  [[ -n ${SB_CUDA_BASE_BENCH:-} ]] && cp "$SB_CUDA_BASE_BENCH" "$STAGE_DIR/bin/sb_cuda_bench_base"
  # SB_CUDA_TRACE_BENCH=path: an sb_cuda_bench built with -DSB_CUDA_STEP_TRACE=ON (--trace-step's
  # stamps, a diagnostics build), staged as sb_cuda_bench_trace.
  [[ -n ${SB_CUDA_TRACE_BENCH:-} ]] && cp "$SB_CUDA_TRACE_BENCH" "$STAGE_DIR/bin/sb_cuda_bench_trace"
  strip "$STAGE_DIR/bin/"*   # host symbols only; halves what a call carries
  # SB_STAGE_PYDOC=0 leaves pydoc-gpt2-8m (30 MB, fp32) out: the stage then fits the ~18 MiB a
  # call may carry beside the tracked tree, and validation runs on the synthetic models only.
  rm -rf "$STAGE_DIR/pydoc"
  if [[ ${SB_STAGE_PYDOC:-1} != 0 ]]; then
    src=${SCALEBENCH_PYDOC_MODEL:-$ROOT/../shared/models/pydoc-gpt2-8m}
    mkdir -p "$STAGE_DIR/pydoc" && cp "$src/config.json" "$src/model.safetensors" "$src/vocab.json" "$src/merges.txt" "$STAGE_DIR/pydoc/"
  fi
  # int8/fp8 calibration text (held-out Python tutorial docs; not on the GPU machine).
  rm -rf "$STAGE_DIR/calib" && mkdir -p "$STAGE_DIR/calib"
  cp /usr/share/doc/python3.11/html/_sources/tutorial/* "$STAGE_DIR/calib/"
  # TR118's int8/fp8 calibration text (the accuracy stage).
  mkdir -p "$STAGE_DIR/calib-lib" && cp /usr/share/doc/python3.11/html/_sources/library/stdtypes.rst.txt "$STAGE_DIR/calib-lib/"
  rm -f "$STAGE_DIR/stage.tar.xz"
  parts=(bin calib calib-lib)
  [[ -d $STAGE_DIR/pydoc ]] && parts+=(pydoc)
  tar -C "$STAGE_DIR" -cf - "${parts[@]}" | xz -T2 -9 > "$STAGE_DIR/stage.tar.xz.tmp" &&
    mv "$STAGE_DIR/stage.tar.xz.tmp" "$STAGE_DIR/stage.tar.xz"
  du -sh "$STAGE_DIR" "$STAGE_DIR/stage.tar.xz"
  exit 0
fi
# A packed stage (carried alone) is unpacked next to itself.
if [[ ! -x $STAGE_DIR/bin/cuda_validate && -f $STAGE_DIR/stage.tar.xz ]]; then
  tar -C "$STAGE_DIR" -xJf "$STAGE_DIR/stage.tar.xz" || { echo "cannot unpack $STAGE_DIR/stage.tar.xz"; exit 2; }
fi

# cuBLASLt from the machine's CUDA 13.
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [[ -e $d/libcublasLt.so.13 ]] && export LD_LIBRARY_PATH=$d:${LD_LIBRARY_PATH:-}
done
BIN=$STAGE_DIR/bin
# Tokenizer for calibrating pydoc-gpt2-8m's int8/fp8 engines (the model folder carries it).
export SCALEBENCH_TOKENIZER_DIR=$STAGE_DIR/pydoc
{
  date -u +"date: %Y-%m-%dT%H:%M:%SZ"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv 2>&1
} | tee "$OUT/card.txt"

for stage in "$@"; do
  case $stage in
    validate)
      ldd "$BIN/cuda_validate" | tee -a "$OUT/card.txt"   # (a run returns at most 8 files)
      args=()
      [[ -f $STAGE_DIR/pydoc/model.safetensors ]] && args=(--pydoc "$STAGE_DIR/pydoc")
      [[ -d $STAGE_DIR/calib ]] && args+=(--calib "$STAGE_DIR/calib")
      # SB_VALIDATE_ARGS: e.g. "--only engine".
      timeout ${SB_VALIDATE_TIMEOUT_S:-400} "$BIN/cuda_validate" "${args[@]}" ${SB_VALIDATE_ARGS:-} > "$OUT/validate.log" 2>&1
      rc=$?
      grep -E "^(FAIL|NOTE|device)" "$OUT/validate.log" | cut -c1-220 | head -40
      sed -n '/^check /,$p' "$OUT/validate.log"
      echo "validate exit $rc"; [[ $rc == 0 ]] || status=1 ;;
    accuracy)
      timeout ${SB_ACCURACY_TIMEOUT_S:-200} "$BIN/cuda_validate" --only accuracy --pydoc "$STAGE_DIR/pydoc" \
        --accuracy-corpus "$STAGE_DIR/calib" --accuracy-calib "$STAGE_DIR/calib-lib/stdtypes.rst.txt" \
        --accuracy-bytes "${SB_ACCURACY_BYTES:-32768}" > "$OUT/accuracy.log" 2>&1
      rc=$?
      grep -E "^(accuracy|FAIL|NOTE|section)" "$OUT/accuracy.log" | cut -c1-240
      echo "accuracy exit $rc"; [[ $rc == 0 ]] || status=1 ;;
    seeds)
      args=()
      [[ -f $STAGE_DIR/pydoc/model.safetensors ]] && args=(--pydoc "$STAGE_DIR/pydoc")
      [[ -d $STAGE_DIR/calib ]] && args+=(--calib "$STAGE_DIR/calib")
      for seed in ${SB_VALIDATE_SEEDS:-1 2 3}; do
        echo "=== seed $seed" >> "$OUT/validate-seeds.log"
        timeout ${SB_VALIDATE_TIMEOUT_S:-120} "$BIN/cuda_validate" --only engine --seed "$seed" "${args[@]}" >> "$OUT/validate-seeds.log" 2>&1
        rc=$?
        echo "seed $seed exit $rc"; [[ $rc == 0 ]] || status=1
      done
      grep -E "^(===|FAIL|PASSED|FAILED)" "$OUT/validate-seeds.log" | cut -c1-240 ;;
    sanitize)
      for tool in memcheck racecheck; do
        echo "=== compute-sanitizer --tool $tool" >> "$OUT/sanitize.log"
        timeout ${SB_SANITIZE_TIMEOUT_S:-150} compute-sanitizer --tool $tool --error-exitcode 99 "$BIN/cuda_validate" --small > "$OUT/sanitize-cur.log" 2>&1
        rc=$?
        cat "$OUT/sanitize-cur.log" >> "$OUT/sanitize.log"
        grep -E "ERROR SUMMARY|PASSED|FAILED" "$OUT/sanitize-cur.log" | tail -3
        rm -f "$OUT/sanitize-cur.log"
        echo "sanitize $tool exit $rc"; [[ $rc == 0 ]] || status=1
      done ;;
    bench)
      timeout ${SB_BENCH_TIMEOUT_S:-400} "$BIN/sb_cuda_bench" --out "$OUT/bench.jsonl" ${SB_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench.log"
      [[ ${PIPESTATUS[0]} == 0 ]] || status=1 ;;
    bench-base)
      # The previous version's binary (prepare with SB_CUDA_BASE_BENCH), same arguments.
      timeout ${SB_BENCH_TIMEOUT_S:-400} "$BIN/sb_cuda_bench_base" --out "$OUT/bench-base.jsonl" ${SB_BENCH_ARGS:-} 2>&1 | tee "$OUT/bench-base.log"
      [[ ${PIPESTATUS[0]} == 0 ]] || status=1 ;;
    profile)
      # gpu__time_duration per kernel, kernels serialized (no PDL overlap): the work of each kernel
      # apart from launch and dependency latency.
      timeout ${SB_PROFILE_TIMEOUT_S:-120} ncu --profile-from-start off --metrics gpu__time_duration.sum \
        --csv "$BIN/sb_cuda_bench" --profile-step "${SB_PROFILE_MODEL:-gpt2}" > "$OUT/profile.log" 2>&1
      rc=$?
      python3 - "$OUT/profile.log" <<'PY' || true
import csv, sys, collections
rows = [r for r in csv.reader(open(sys.argv[1])) if len(r) > 10]
if not rows: sys.exit("profile: no ncu rows")
h = rows[0]; ki = h.index("Kernel Name"); vi = h.index("Metric Value"); ui = h.index("Metric Unit")
tot = collections.OrderedDict(); cnt = collections.Counter()
for r in rows[1:]:
    scale = {"ns": 1e-3, "nsecond": 1e-3, "us": 1.0, "usecond": 1.0, "ms": 1e3, "msecond": 1e3}.get(r[ui])
    v = float(r[vi].replace(",", "")) * scale if scale else float("nan")
    k = r[ki].split("(")[0].split("<")[0].strip()
    tot[k] = tot.get(k, 0.0) + v; cnt[k] += 1
print("%-34s %6s %10s %10s" % ("kernel", "count", "total_us", "mean_us"))
for k, v in tot.items(): print("%-34s %6d %10.2f %10.2f" % (k, cnt[k], v, v / cnt[k]))
print("sum of kernel device time: %.2f us over %d kernels" % (sum(tot.values()), sum(cnt.values())))
PY
      echo "profile exit $rc"; [[ $rc == 0 ]] || status=1 ;;
    peer)
      PYTHONUNBUFFERED=1 python3 "$ROOT/scripts/hf_peer_bench.py" --out "$OUT/peers.jsonl" ${SB_PEER_ARGS:-} 2>&1 | tee "$OUT/peer.log"
      [[ ${PIPESTATUS[0]} == 0 ]] || status=1 ;;
    *) echo "unknown stage $stage (validate seeds accuracy sanitize bench bench-base profile peer | prepare)"; exit 2 ;;
  esac
done
exit $status
