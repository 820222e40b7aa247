# Shared by the session-11 s11-xl device calls (scripts/s11/xl-call*.sh, staged in D = .gpu/s11-xl/):
# unpack the staged binaries, print the card, and `step NAME LIMIT_S CMD..` runs CMD with a time
# limit into $L/NAME.log, appends one summary line and re-packs the logs into $OUT/$TAR (so a call
# stopped at its limit still returns the logs so far).  (scripts/s10/lib.sh's pattern.)
set -u
D=${D:-.gpu/s11-xl}
OUT=${OUT:-/tmp/out}
L=$OUT/logs
mkdir -p "$L"
for t in $D/bins*.tar.xz; do [ -e "$t" ] && { tar -C $D -xJf $t || { echo "cannot unpack $t"; exit 2; }; }; done
export LD_LIBRARY_PATH=/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
B=$D/bin
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.sm,clocks.mem --format=csv | tee $L/gpu.txt
date -u | tee -a $L/gpu.txt
step() { local name=$1 lim=$2; shift 2; local t0=$(date +%s%N); timeout $lim "$@" > $L/$name.log 2>&1; local rc=$?;
  printf '%-22s rc=%-3d %6d ms  %s\n' $name $rc $(( ($(date +%s%N) - t0) / 1000000 )) "$(grep -E 'PASSED|FAILED|SUMMARY|failure|ERROR SUMMARY' $L/$name.log | tail -2 | tr '\n' ' ')" | tee -a $L/summary.txt
  tar -C $OUT -czf $OUT/$TAR logs; }
