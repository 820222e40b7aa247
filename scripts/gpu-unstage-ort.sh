#!/usr/bin/env bash
# On the GPU machine: checks and reassembles ONNX Runtime's CUDA path staged in chunks by
# scripts/gpu-stage-ort.sh (the CUDA-enabled core libonnxruntime.so.1 of onnxruntime-node 1.29.0
# with the CUDA provider and providers_shared beside it, in DIR/lib; extras in DIR/extra), and
# prints the environment scalebench needs to use it:
#   eval "$(scripts/gpu-unstage-ort.sh --dir /tmp/ortc)"
#
# - every chunk named in DIR/SHA256SUMS must be present with its SHA-256 (a missing chunk is
#   listed and the exit status is 3: send it in the next call while the machine is warm);
# - the chunks are joined, the payload's SHA-256 checked, decompressed (xz or zstd, whichever
#   SHA256SUMS names; python3's lzma / zstandard / pyarrow when the tool is missing) into DIR, and
#   each library's SHA-256 checked.  A second run with DIR/lib intact only re-checks them;
# - the CUDA libraries the provider needs are looked up (cudart 13, cuBLAS/cuBLASLt 13,
#   cuRAND 10, cuDNN 9; in the CUDA toolkit, python3's site-packages nvidia/*/lib, or ldconfig);
# - stdout: `export LD_LIBRARY_PATH=DIR/lib:<existing>:<CUDA folders>`.  DIR/lib comes first
#   because scalebench finds libonnxruntime.so.1 through the loader (RUNPATH $ORIGIN is searched
#   after LD_LIBRARY_PATH): the CUDA-enabled core then serves both onnxruntime backends in that
#   shell (onnxruntime-cpu runs on its CPU execution provider; facts.core_library says so).
#   The core loads the provider and providers_shared from its own folder (DIR/lib).
# Messages go to stderr; stdout carries only the export line.
# Usage: scripts/gpu-unstage-ort.sh [--dir DIR] [--check]
#   --dir DIR       the staged folder (default .gpu-ort)
#   --core-dir DIR  accepted and ignored (the CPU core's folder, used by the refused plugin path)
#   --check         only report which chunks are present and valid (exit 3 if any is missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/.gpu-ort"
core_dir="$root/.gpu/stage/bin"
check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --core-dir) core_dir="$2"; shift 2 ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,26p' "$0"; exit 0 ;;
    *) echo "gpu-unstage-ort.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
say() { echo "gpu-unstage-ort.sh: $*" >&2; }
sums="$dir/SHA256SUMS"
[ -f "$sums" ] || { say "$sums missing (carry .gpu-ort/SHA256SUMS made by scripts/gpu-stage-ort.sh)"; exit 1; }
hash_of() { sha256sum < "$1" | cut -d' ' -f1; }
expected() { awk -v n="$1" '$0 !~ /^#/ && $2 == n {print $1}' "$sums"; }
chunks=$(awk '$0 !~ /^#/ && $2 ~ /^chunk\.[0-9][0-9]$/ {print $2}' "$sums")
payload=$(awk '$0 !~ /^#/ && $2 ~ /^payload\.tar\./ {print $2}' "$sums")
lib_names=$(awk '$0 !~ /^#/ && $2 ~ /^lib\// {print $2}' "$sums")
[ -n "$chunks" ] && [ -n "$payload" ] && [ -n "$lib_names" ] || { say "$sums lists no chunks, payload or libraries"; exit 1; }

libs_ok() {
  local n
  for n in $lib_names; do
    [ -f "$dir/$n" ] && [ "$(hash_of "$dir/$n")" = "$(expected "$n")" ] || return 1
  done
}

if [ "$check_only" = 1 ] || ! libs_ok; then
  missing=""; have=0; total=0
  for c in $chunks; do
    total=$((total + 1))
    if [ ! -f "$dir/$c" ]; then missing="$missing $c"
    elif [ "$(hash_of "$dir/$c")" != "$(expected "$c")" ]; then say "$c has the wrong SHA-256 (truncated transfer?): send it again"; missing="$missing $c"
    else have=$((have + 1)); fi
  done
  say "chunks present and valid: $have/$total${missing:+; missing:$missing}"
  [ -z "$missing" ] || exit 3
  if [ "$check_only" = 1 ]; then libs_ok && say "libraries already unpacked in $dir/lib"; exit 0; fi
  # shellcheck disable=SC2086
  (cd "$dir" && cat $chunks) > "$dir/$payload.tmp"
  [ "$(hash_of "$dir/$payload.tmp")" = "$(expected "$payload")" ] || { say "reassembled $payload has the wrong SHA-256"; rm -f "$dir/$payload.tmp"; exit 1; }
  rm -rf "$dir/lib"
  case "$payload" in
    *.xz) if command -v xz >/dev/null; then xz -dc "$dir/$payload.tmp"
          else python3 -c 'import lzma,shutil,sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer, 1 << 20)' "$dir/$payload.tmp"; fi ;;
    *.zst) if command -v zstd >/dev/null; then zstd -q -dc --long=31 "$dir/$payload.tmp"
           else  # no zstd tool: python3's zstandard or pyarrow module (the GPU image has pyarrow)
             python3 - "$dir/$payload.tmp" <<'PY' || { say "no zstd decoder here (zstd tool, python zstandard or pyarrow); stage with --method xz"; exit 1; }
import shutil, sys
try:
    import zstandard
    src = zstandard.ZstdDecompressor(max_window_size=1 << 31).stream_reader(open(sys.argv[1], "rb"))
except ImportError:
    import pyarrow as pa
    src = pa.CompressedInputStream(pa.OSFile(sys.argv[1]), "zstd")
shutil.copyfileobj(src, sys.stdout.buffer, 1 << 20)
PY
           fi ;;
    *) say "unknown payload format $payload"; exit 1 ;;
  esac | tar -C "$dir" -xf -
  rm -f "$dir/$payload.tmp"
  libs_ok || { say "unpacked libraries do not match SHA256SUMS"; exit 1; }
  say "unpacked and verified:$(for n in $lib_names; do printf ' %s' "$n"; done)"
fi

for l in libonnxruntime.so.1 libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so; do
  [ -f "$dir/lib/$l" ] || { say "$dir/lib/$l missing (a stage older than the CUDA-enabled core? re-run scripts/gpu-stage-ort.sh)"; exit 1; }
done

# CUDA libraries for the provider (NEEDED: cublasLt/cublas 13, curand 10, cudart 13, libcuda 1;
# cuDNN 9 is opened at run time).  Prefer the toolkit, then python3's nvidia wheels.
want=(libcudart.so.13 libcublas.so.13 libcublasLt.so.13 libcurand.so.10 libcudnn.so.9)
cands=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib /usr/local/cuda-13*/lib64 /usr/local/cuda/lib)
if command -v python3 >/dev/null; then
  site=$(python3 -c 'import site,sys; print("\n".join(site.getsitepackages() + [site.getusersitepackages()]))' 2>/dev/null || true)
  for s in $site; do
    for d in "$s"/nvidia/*/lib "$s"/nvidia/cu13/lib; do [ -d "$d" ] && cands+=("$d"); done
  done
fi
ld_dirs=""
for w in "${want[@]}"; do
  found=""
  for d in "${cands[@]}"; do
    if [ -e "$d/$w" ]; then found="$d"; break; fi
  done
  if [ -z "$found" ]; then
    p=$(ldconfig -p 2>/dev/null | awk -v n="$w" '$1 == n {print $NF; exit}')
    if [ -n "$p" ]; then say "$w: $p (loader cache)"; continue; fi
    say "warning: $w not found (ONNX Runtime's CUDA provider may fail to load)"; continue
  fi
  say "$w: $found"
  case ":$ld_dirs:" in *":$found:"*) ;; *) ld_dirs="${ld_dirs:+$ld_dirs:}$found" ;; esac
done
# The core's folder first (it must win over the binary's own CPU core); CUDA folders appended.
echo "export LD_LIBRARY_PATH=$dir/lib:\${LD_LIBRARY_PATH:-}${ld_dirs:+:$ld_dirs}"
