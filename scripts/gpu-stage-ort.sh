#!/usr/bin/env bash
# Packs ONNX Runtime's CUDA execution path for the GPU machine in chunks small enough to
# travel one per device call (a call carries at most 64 MiB with the working tree).
#
# Payload lib/: the CUDA-enabled ONNX Runtime 1.29.0 core (libonnxruntime.so.1 of npm
# onnxruntime-node, `scripts/setup.sh --gpu` keeps it in .deps/onnxruntime-gpu-core), the CUDA
# provider (libonnxruntime_providers_cuda.so, ~230 MB, CUDA 13 build, npm
# com.github.asus4.onnxruntime.linux-x64-gpu) and its bridge libonnxruntime_providers_shared.so:
# the core loads both from its own folder, so they travel and land together.  --extra adds other
# files or folders under extra/ (e.g. a scalebench stage and a model for a one-off trial).  It
# is one tar, compressed and split into OUT/chunk.00, chunk.01, ... (the last one holds the
# remainder).  OUT/SHA256SUMS holds the SHA-256 of every chunk, of the compressed payload and of
# each library.  On the GPU machine scripts/gpu-unstage-ort.sh checks and reassembles them.
#
# Compression (measured 2026-11-26 on the shared 2-core VM, load ~10): about 70% of the library
# is CUDA fatbinary that is already compressed, so every method lands near 166 MB; zstd -9
# (--long=27: any zstd decoder's default window limit) takes ~12 s, while xz -9e ran at
# 0.35-0.5 MB/s here (>10 min) for ~3 MB less and zstd --ultra -22 --long=31 was slower still.
# Default zstd -9; --method xz / --level N / --method auto (both, keep the smaller) exist.
#
# Usage: scripts/gpu-stage-ort.sh [--out DIR] [--first-mib N] [--chunk-mib N] [--method zstd|xz|auto] [--level N] [--extra PATH]...
#   --out DIR      output folder (default .gpu-ort; must be git-ignored: .git/info/exclude)
#   --first-mib N  size of chunk.00 in MiB (default 36)
#   --chunk-mib N  size of the other chunks (default 36); the last one holds the remainder.
#                  The tree travels with every call: 24.3 MiB on 2026-11-26 12:15Z (the studies
#                  under docs/), so 36 MiB + tree + the SHA256SUMS stays under 64 MiB.
#   --extra PATH   also pack this file or folder as extra/<its name> (repeatable)
#   --method M     zstd (default), xz, or auto
#   --level N      compression level (default 9 for zstd, 9 for xz; xz always adds -e)
# The compressed payload is cached in OUT/work/ keyed by the libraries' SHA-256 and the method,
# so re-running with another chunk size does not compress again.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/.gpu-ort"
first_mib=36
chunk_mib=36
extras=()
method=zstd
level=9
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --chunk-mib) chunk_mib="$2"; shift 2 ;;
    --first-mib) first_mib="$2"; shift 2 ;;
    --method) method="$2"; shift 2 ;;
    --level) level="$2"; shift 2 ;;
    --extra) [ -e "$2" ] || { echo "gpu-stage-ort.sh: --extra $2 does not exist" >&2; exit 2; }
             extras+=("$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"); shift 2 ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    *) echo "gpu-stage-ort.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
case "$method" in auto|xz|zstd) ;; *) echo "gpu-stage-ort.sh: --method must be auto, xz or zstd, not '$method'" >&2; exit 2 ;; esac
[[ "$level" =~ ^[0-9]+$ ]] && [ "$level" -ge 1 ] && [ "$level" -le 19 ] ||
  { echo "gpu-stage-ort.sh: --level must be 1..19, not '$level'" >&2; exit 2; }
for v in "$chunk_mib" "$first_mib"; do
  [[ "$v" =~ ^[0-9]+$ ]] && [ "$v" -ge 1 ] && [ "$v" -le 60 ] ||
    { echo "gpu-stage-ort.sh: --first-mib and --chunk-mib must be 1..60, not '$v'" >&2; exit 2; }
done

gpu_pkg="${SB_ORT_GPU_ROOT:-$root/.deps/onnxruntime-gpu}/Plugins/Linux/x64"
gpu_core="${SB_ORT_GPU_CORE:-$root/.deps/onnxruntime-gpu-core}/libonnxruntime.so.1"
libs=(libonnxruntime.so.1 libonnxruntime_providers_cuda.so libonnxruntime_providers_shared.so)
lib_src() { if [ "$1" = libonnxruntime.so.1 ]; then echo "$gpu_core"; else echo "$gpu_pkg/$1"; fi; }
for l in "${libs[@]}"; do
  [ -f "$(lib_src "$l")" ] || { echo "gpu-stage-ort.sh: $(lib_src "$l") missing (run scripts/setup.sh --gpu)" >&2; exit 1; }
done
# The folder must not travel with the tree: refuse to write it unless git ignores it.
mkdir -p "$out"
out="$(cd "$out" && pwd)"
if [[ "$out/" == "$root/"* ]] && ! git -C "$root" check-ignore -q "$out/chunk.00"; then
  echo "gpu-stage-ort.sh: $out is not git-ignored; add it to .git/info/exclude first" >&2
  exit 1
fi

work="$out/work"
mkdir -p "$work/payload/lib"
key="$( { for l in "${libs[@]}"; do sha256sum < "$(lib_src "$l")"; done
         for e in "${extras[@]}"; do echo "extra $(basename "$e")"; find "$e" -type f -print0 | sort -z | xargs -0 sha256sum; done
       } | sha256sum | cut -c1-16)"
payload="$work/payload-$key.tar"
if [ ! -f "$payload" ]; then
  rm -rf "$work/payload" && mkdir -p "$work/payload/lib"
  for l in "${libs[@]}"; do cp -L "$(lib_src "$l")" "$work/payload/lib/$l"; done
  dirs=(lib)
  if [ ${#extras[@]} -gt 0 ]; then
    mkdir -p "$work/payload/extra"
    for e in "${extras[@]}"; do cp -rL "$e" "$work/payload/extra/"; done
    dirs+=(extra)
  fi
  # Fixed owner/mtime so the tar (and so the hashes) depend on the contents only.
  tar -C "$work/payload" --owner=0 --group=0 --numeric-owner --mtime=@0 --sort=name -cf "$payload.tmp" "${dirs[@]}"
  mv "$payload.tmp" "$payload"
  rm -rf "$work/payload"
fi

compress() {  # $1 = xz|zstd; writes $payload.L<level>.<ext> once
  case "$1" in
    xz)   local f="$payload.L$level.xz"
          [ -f "$f" ] || { xz -"$level"e -T2 -c "$payload" > "$f.tmp" && mv "$f.tmp" "$f"; } ;;
    zstd) local f="$payload.L$level.zst"
          [ -f "$f" ] || { zstd -q -"$level" --long=27 -T2 -c "$payload" > "$f.tmp" && mv "$f.tmp" "$f"; } ;;
  esac
}
case "$method" in
  auto) compress xz & pid_xz=$!; compress zstd & pid_zst=$!  # both at once: minutes each
        wait "$pid_xz"; wait "$pid_zst"
        choice="$payload.L$level.xz"
        [ "$(stat -c %s "$payload.L$level.zst")" -lt "$(stat -c %s "$choice")" ] && choice="$payload.L$level.zst"
        echo "gpu-stage-ort.sh: xz $(stat -c %s "$payload.L$level.xz") bytes, zstd $(stat -c %s "$payload.L$level.zst") bytes" >&2 ;;
  xz) compress xz; choice="$payload.L$level.xz" ;;
  zstd) compress zstd; choice="$payload.L$level.zst" ;;
esac
ext="${choice##*.}"
comp_name="payload.tar.$ext"

rm -f "$out"/chunk.[0-9][0-9] "$out/SHA256SUMS"
head -c "$((first_mib * 1048576))" "$choice" > "$out/chunk.00"
if [ "$(stat -c %s "$choice")" -gt "$((first_mib * 1048576))" ]; then
  tail -c +"$((first_mib * 1048576 + 1))" "$choice" | split -b "${chunk_mib}M" -d -a 2 --numeric-suffixes=1 - "$out/chunk."
fi
{
  echo "# scalebench ORT CUDA stage: $(date -u +%Y-%m-%dT%H:%M:%SZ), core npm onnxruntime-node 1.29.0 (linux-x64), provider npm com.github.asus4.onnxruntime.linux-x64-gpu $(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$gpu_pkg/../../../package.json" 2>/dev/null | head -1) (ONNX Runtime 1.29)${extras[*]:+; extras: $(for e in "${extras[@]}"; do printf '%s ' "$(basename "$e")"; done)}"
  echo "# method $ext level $level; chunk.00 $first_mib MiB, others $chunk_mib MiB; reassemble: cat chunk.* > $comp_name"
  (cd "$out" && sha256sum chunk.[0-9][0-9])
  echo "$(sha256sum < "$choice" | cut -d' ' -f1)  $comp_name"
  for l in "${libs[@]}"; do echo "$(sha256sum < "$(lib_src "$l")" | cut -d' ' -f1)  lib/$l"; done
} > "$out/SHA256SUMS"
ls -l "$out"/chunk.[0-9][0-9] >&2
echo "gpu-stage-ort.sh: $(ls "$out"/chunk.[0-9][0-9] | wc -l) chunk(s) ($first_mib MiB, then at most $chunk_mib MiB) + $out/SHA256SUMS ($ext, $(stat -c %s "$choice") bytes)" >&2
