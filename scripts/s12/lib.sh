# Shared by session 12's lead device calls (scripts/s12/lead*.sh; the stage is scripts/gpu-check.sh
# prepare's .gpu-cuda/stage.tar.xz): unpack the binaries, set the CUDA libraries and pydoc paths,
# print the card, and `step NAME LIMIT_S CMD..` runs CMD with a time limit into $L/NAME.log, appends
# one summary line and re-packs the logs into $OUT/$TAR (so a call stopped at its limit still
# returns the logs so far).  Sets S (stage), B (binaries), P (pydoc-gpt2-8m + calibration options), L.
set -u
S=.gpu-cuda
OUT=${OUT:-/tmp/out}
L=$OUT/logs; mkdir -p $L
tar -C $S -xJf $S/stage.tar.xz || { echo "cannot unpack"; exit 2; }
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export SCALEBENCH_TOKENIZER_DIR=$S/pydoc
B=$S/bin
P="--pydoc $S/pydoc --calib $S/calib"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt; date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|ERROR SUMMARY|RACECHECK SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
