# Shared by the session-11 fused-MLP device calls (scripts/s11-mlp/call*.sh, staged beside the
# stripped binaries in D = .gpu/s11-mlp/): unpack the binaries, print the card, and
# `step NAME LIMIT_S CMD..` runs CMD with a time limit into $L/NAME.log, appends one summary line
# and re-packs the logs into $OUT/$TAR (a call stopped at its limit still returns the logs so far).
set -u
D=${D:-.gpu/s11-mlp}
OUT=${OUT:-/tmp/out}
L=$OUT/logs
mkdir -p "$L"
for t in $D/bins*.tar.xz; do tar -C $D -xJf $t || { echo "cannot unpack $t"; exit 2; }; done
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$D/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv | tee $L/gpu.txt
date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|SUMMARY|failure' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
