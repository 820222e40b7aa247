#!/usr/bin/env bash
# Packs a CUDA-enabled scalebench build for the GPU machine (Ubuntu 24.04, CUDA 13, no package
# registry): the binary plus the shared libraries it needs that such a machine lacks (fmt,
# OpenBLAS, PCRE2, ONNX/protobuf, toml++, SQLite, gfortran), into .gpu/stage.tar.gz.
# glibc, libstdc++, libgcc, zlib and libcrypto are taken from the GPU machine itself; CUDA's
# libcublasLt comes from its toolkit.  On the GPU machine: scripts/gpu-unstage.sh.
# Usage: scripts/gpu-stage.sh [BUILD_DIR] [OUT_DIR]   (default build/gpu, configured with CUDA;
#        OUT_DIR default .gpu: writes OUT_DIR/stage.tar.gz; gpu-unstage.sh reads SB_GPU_STAGE_DIR)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${1:-$root/build/gpu}"
bin="$build/src/cli/scalebench"
[ -x "$bin" ] || { echo "gpu-stage.sh: $bin not built (cmake -S . -B build/gpu -DSB_ENABLE_CUDA=ON && ninja -C build/gpu scalebench)" >&2; exit 1; }
out_dir="${2:-$root/.gpu}"
mkdir -p "$out_dir"
stage="$out_dir/stage"
rm -rf "$stage" && mkdir -p "$stage/bin"
cp "$bin" "$stage/bin/"
skip='linux-vdso|ld-linux|libc\.so|libm\.so|libdl\.so|librt\.so|libpthread\.so|libstdc\+\+|libgcc_s|libz\.so|libcrypto|libcuda\.so|libcublas|libcudart'
ldd "$bin" | awk '/=>/ {print $1, $3}' | while read -r name path; do
  if echo "$name" | grep -Eq "$skip"; then continue; fi
  [ -f "$path" ] || { echo "gpu-stage.sh: $name not found" >&2; exit 1; }
  cp -L "$path" "$stage/bin/$name"
done
# ONNX Runtime 1.29 travels with the binary: the GPU machine's python onnxruntime 1.30 lacks the
# VERS_1.29.0 symbol version the binary was linked against.  Its provider bridge
# libonnxruntime_providers_shared.so must sit beside libonnxruntime.so.1 for the CUDA provider
# plugin (staged separately: scripts/gpu-stage-ort.sh) to load.
if [ -f "$stage/bin/libonnxruntime.so.1" ] && [ -f "$(dirname "$bin")/libonnxruntime_providers_shared.so" ]; then
  cp "$(dirname "$bin")/libonnxruntime_providers_shared.so" "$stage/bin/"
fi
cp -r "$root/workers" "$stage/"
tar -C "$out_dir" -czf "$out_dir/stage.tar.gz" stage
rm -rf "$stage"
ls -la "$out_dir/stage.tar.gz"
