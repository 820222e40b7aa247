#!/usr/bin/env bash
# On the GPU machine: runs a study with the staged binary (scripts/gpu-stage.sh made
# .gpu/stage.tar.gz here) and packs the result folder into $OUT/<name>.tar.gz.
# onnxruntime-cuda: when .gpu-ort/SHA256SUMS and all its chunks are here (scripts/gpu-stage-ort.sh,
# one chunk per call), gpu-unstage.sh unpacks the CUDA provider and sets SB_ORT_CUDA_PROVIDER;
# otherwise onnxruntime-cuda cells are recorded as unsupported with the reason.
# SB_GPU_STAGE_DIR selects another stage folder than .gpu (gpu-stage.sh BUILD_DIR OUT_DIR).
# Usage: scripts/gpu-study.sh STUDY.toml [extra scalebench run args...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
study="${1:?usage: gpu-study.sh STUDY.toml [args]}"; shift
eval "$("$root/scripts/gpu-unstage.sh")"
out="${OUT:-/tmp}"
name="$(basename "$study" .toml)"
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.sm,temperature.gpu,power.draw --format=csv | tee "$out/$name-gpu.csv"
scalebench backends | tee "$out/$name-backends.txt"
rc=0
scalebench run "$study" --out "/tmp/$name" "$@" 2>&1 | tee "$out/$name-run.log" || rc=$?
tar -C /tmp -czf "$out/$name.tar.gz" "$name" || true
exit $rc
