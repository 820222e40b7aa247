#!/usr/bin/env bash
# study.sh STAGE_TGZ TOML "NAME:ENV=V ENV2=V" ...   runs the study once per variant, in order.
# TOK (default .gpu/s10/tok): the GPT-2 tokenizer files and the int8/fp8 calibration text.
set -uo pipefail
cd "$(dirname "$0")/../.."
export OUT=${OUT:-/tmp/out}
stage=$1; toml=$2; shift 2
mkdir -p /tmp/st && tar -C /tmp/st -xzf "$stage" || exit 2
export PATH=/tmp/st/stage/bin:$PATH LD_LIBRARY_PATH=/tmp/st/stage/bin:/usr/local/cuda/lib64:${LD_LIBRARY_PATH:-}
export SCALEBENCH_WORKERS_DIR=/tmp/st/stage/workers SCALEBENCH_TOKENIZER_DIR=$PWD/${TOK:-.gpu/s10/tok}
d=/usr/share/doc/python3.11/html/_sources/library; mkdir -p $d && cp ${TOK:-.gpu/s10/tok}/stdtypes.rst.txt $d/
{ date -u; nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv; sha256sum /tmp/st/stage/bin/scalebench; } > $OUT/card.txt
names=()
for v in "$@"; do
  name=${v%%:*}; envs=${v#*:}; names+=($name)
  echo "=== $name ($envs) $(date -u +%T)"
  env $envs scalebench run "$toml" --out /tmp/res/$name > /tmp/res-$name.log 2>&1; echo "exit $?"
  tail -3 /tmp/res-$name.log; mv /tmp/res-$name.log /tmp/res/$name/run.log 2>/dev/null
done
# what the study folders keep (engine caches and worker scratch stay behind)
for n in "${names[@]}"; do gzip -f /tmp/res/$n/records.jsonl 2>/dev/null; done
( cd /tmp/res && find "${names[@]}" -maxdepth 1 -type f \( -name 'manifest.json' -o -name 'records.jsonl.gz' -o -name 'stats.json' -o -name 'report.md' -o -name 'run.log' -o -name 'claims.toml' \) ) > /tmp/keep.txt
du -sh /tmp/res/* | head
tar -C /tmp/res -czf $OUT/study.tgz -T /tmp/keep.txt; ls -la $OUT/study.tgz
