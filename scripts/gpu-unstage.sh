#!/usr/bin/env bash
# On the GPU machine: unpacks .gpu/stage.tar.gz (made by scripts/gpu-stage.sh) into .gpu/stage
# and prints the line to source for running it:  eval "$(scripts/gpu-unstage.sh)"
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tar -C "$root/.gpu" -xzf "$root/.gpu/stage.tar.gz"
cuda_lib=""
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
  [ -d "$d" ] && cuda_lib="$cuda_lib:$d"
done
echo "export PATH=$root/.gpu/stage/bin:\$PATH LD_LIBRARY_PATH=$root/.gpu/stage/bin$cuda_lib:\${LD_LIBRARY_PATH:-} SCALEBENCH_WORKERS_DIR=$root/.gpu/stage/workers"
