#!/usr/bin/env bash
# On the GPU machine: unpacks .gpu/stage.tar.gz (made by scripts/gpu-stage.sh) into .gpu/stage
# and prints the line to source for running it:  eval "$(scripts/gpu-unstage.sh)"
# SB_GPU_STAGE_DIR names another stage folder (default .gpu).  When .gpu-ort/SHA256SUMS is here
# (ONNX Runtime's CUDA provider staged in chunks by scripts/gpu-stage-ort.sh), its chunks are
# checked and unpacked too and the provider's environment is printed; if that fails,
# onnxruntime-cuda simply stays unsupported.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
stage_dir="${SB_GPU_STAGE_DIR:-$root/.gpu}"
tar -C "$stage_dir" -xzf "$stage_dir/stage.tar.gz"
cuda_lib=""
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && cuda_lib="$cuda_lib:$d"
done
echo "export PATH=$stage_dir/stage/bin:\$PATH LD_LIBRARY_PATH=$stage_dir/stage/bin$cuda_lib:\${LD_LIBRARY_PATH:-} SCALEBENCH_WORKERS_DIR=$stage_dir/stage/workers"
ort_dir="${SB_GPU_ORT_DIR:-$root/.gpu-ort}"
if [ -f "$ort_dir/SHA256SUMS" ]; then
  if ort_env="$("$root/scripts/gpu-unstage-ort.sh" --dir "$ort_dir" --core-dir "$stage_dir/stage/bin")"; then
    echo "$ort_env"
  else
    echo "gpu-unstage.sh: ONNX Runtime CUDA provider not staged (see above); onnxruntime-cuda stays unsupported" >&2
  fi
fi
