#!/usr/bin/env bash
# Session 16: TR118 republished with session 15's final binary (49a3d09), on one warm GPU machine.
# The payload (scripts/gpu-stage-ort.sh --out .gpu-ort16 --first-mib 54 --chunk-mib 54 with extras
# stage/ (gpu-stage.sh of build/release, CPU ORT core left out: the CUDA-enabled core serves both
# onnxruntime backends), tok/ (GPT-2 tokenizer + the calibration text), tutorial/ (the accuracy
# corpus) and pydoc-gpt2-8m/) travels one chunk per call:
#   bash scripts/s16/tr118.sh chunk NN            copy .gpu-ort16/chunk.NN (+ SHA256SUMS) to /tmp/ortc
#   bash scripts/s16/tr118.sh run JOB...          unstage (once), then the jobs in order while they fit
# JOB = s0..s5 (scalebench run examples/tr118.toml --shard I/6) or acc (examples/tr118-accuracy.toml).
# A job starts only when its estimate (session 8's H200 times x ~1.5) fits the time left of the call
# (SB_CALL_S, default 570 s from the script's start); a stopped job resumes next call (the runner
# skips cells already done; a job that does not fit is passed over for the shorter ones after it).  Each finished job's folder (without engine caches and exports) is
# packed into $OUT/<job>.tgz; $OUT/calls.log says what ran.
set -uo pipefail
cd "$(dirname "$0")/../.."
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
t_start=$(date +%s)
call_s=${SB_CALL_S:-570}
log() { echo "[$(date -u +%T)] $*" | tee -a "$OUT/calls.log"; }
case "${1:-}" in
  chunk)
    mkdir -p /tmp/ortc
    cp .gpu-ort16/SHA256SUMS /tmp/ortc/ && cp ".gpu-ort16/chunk.$2" /tmp/ortc/ || { log "chunk $2: copy failed"; exit 2; }
    log "chunk $2 in /tmp/ortc: $(ls /tmp/ortc | tr '\n' ' ')"
    nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv,noheader | tee -a "$OUT/calls.log"
    exit 0 ;;
  run) shift ;;
  *) echo "usage: tr118.sh chunk NN | run JOB..." >&2; exit 2 ;;
esac

# --- environment (every call: the unpacked payload stays in /tmp/ortc on a warm machine)
E=/tmp/ortc/extra
export PATH=$E/stage/bin:$PATH
export LD_LIBRARY_PATH=$E/stage/bin:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
if ! ort_env="$(scripts/gpu-unstage-ort.sh --dir /tmp/ortc 2>>"$OUT/unstage.log")"; then
  log "ORT unstage failed: $(tail -3 "$OUT/unstage.log" | tr '\n' ' ')"; exit 3
fi
eval "$ort_env"
export SCALEBENCH_WORKERS_DIR=$E/stage/workers SCALEBENCH_TOKENIZER_DIR=$E/tok
d=/usr/share/doc/python3.11/html/_sources
mkdir -p $d/library && cp $E/tok/stdtypes.rst.txt $d/library/ && rm -rf $d/tutorial && cp -r $E/tutorial $d/tutorial
models="$(cd .. && pwd)/shared/models"
mkdir -p "$models" && rm -rf "$models/pydoc-gpt2-8m" && cp -r $E/pydoc-gpt2-8m "$models/" || { log "cannot place the proxy model at $models"; exit 4; }
if true; then
  { date -u; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.current.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv
    sha256sum $E/stage/bin/scalebench; } > "$OUT/gpu.txt" 2>&1
  scalebench backends > "$OUT/backends.txt" 2>&1
  log "backends: $(grep -c . "$OUT/backends.txt") lines; $(head -1 "$OUT/gpu.txt")"
fi

est() { case $1 in s0) echo 290 ;; s1) echo 100 ;; s2) echo 190 ;; s3) echo 130 ;; s4) echo 80 ;; s5) echo 260 ;; acc) echo 200 ;; *) echo 9999 ;; esac; }
for job in "$@"; do
  if [ -f "/tmp/tr118-done/$job" ]; then log "$job already done"; continue; fi
  left=$(( call_s - ($(date +%s) - t_start) ))
  if [ "$(est "$job")" -gt "$left" ]; then log "$job not started: estimate $(est "$job") s > $left s left"; continue; fi
  case $job in
    s[0-5]) dir=/tmp/tr118-$job; args=(run examples/tr118.toml --out "$dir" --shard "${job#s}/6") ;;
    acc) dir=/tmp/tr118-accuracy; args=(run examples/tr118-accuracy.toml --out "$dir") ;;
    *) log "unknown job $job"; continue ;;
  esac
  log "$job start (estimate $(est "$job") s, $left s left)"
  timeout $(( left - 5 )) scalebench "${args[@]}" >> "/tmp/$job-console.log" 2>&1; rc=$?
  log "$job exit $rc: $(tail -2 "/tmp/$job-console.log" | tr '\n' ' ')"
  if [ $rc -eq 0 ]; then
    mkdir -p /tmp/tr118-done && touch "/tmp/tr118-done/$job"
    cp "/tmp/$job-console.log" "$dir/console.log"
    # what the folders keep: every file under 8 MB (records, manifest, stats, report, logs); engine
    # files and ONNX exports stay behind (listed in $OUT/<job>-big.txt)
    ( cd "$(dirname "$dir")" && find "$(basename "$dir")" -type f -size -8M > /tmp/$job-keep.txt &&
      find "$(basename "$dir")" -type f -size +8M -printf '%s %p\n' > "$OUT/$job-big.txt" &&
      tar -czf "$OUT/$job.tgz" -T /tmp/$job-keep.txt )
    log "$job packed: $(du -h "$OUT/$job.tgz" | cut -f1); $(du -sh "$dir" | cut -f1) on the machine"
  fi
done
ls -la "$OUT" >> "$OUT/calls.log"
