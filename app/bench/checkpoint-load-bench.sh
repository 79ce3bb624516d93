#!/usr/bin/env bash
# Load cost of a single-file checkpoint against the ONNX folder it converts to: a full-size SD 1.5
# checkpoint (F16, seeded random weights, 2.13 GB, made by the checkpoint module's test-scope
# FullSizeCheckpointCommand) opened by `./ldm4j inspect --model` (JVM + Quarkus start, detection,
# ONNX Runtime sessions of all four networks, then exit): first use (converts into the cache),
# cached, and the cached ONNX folder given directly, alternating in one run; then `convert` alone
# and one small generation. Wall time and peak RSS from GNU time. Needs ~12 GB of disk. Build first:
#   ./mvnw -q -B -pl app -am package -DskipTests && ./mvnw -q -B -pl checkpoint -am test-compile
# Usage: app/bench/checkpoint-load-bench.sh [work-dir=/tmp/ldm4j-checkpoint-bench] [runs=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/ldm4j-checkpoint-bench}
runs=${2:-2}
mkdir -p "$work"
export LDM4J_HOME="$work/home"
rm -rf "$LDM4J_HOME" "$work/converted"
measure() { # label, command...
  local label=$1; shift
  /usr/bin/time -v "$@" >/dev/null 2>"$work/time.err" || { cat "$work/time.err" >&2; exit 1; }
  printf '%-44s %8s s %8.2f GiB peak RSS\n' "$label" \
    "$(awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$work/time.err")" \
    "$(awk '/Maximum resident/ {print $NF / 1048576}' "$work/time.err")"
}
cp=checkpoint/target/test-classes:checkpoint/target/classes:onnx-export/target/classes:pipeline-api/target/classes
for jar in $(find ~/.m2/repository/com/fasterxml/jackson/core/jackson-{core,databind,annotations} -name '*.jar' \
    ! -name '*sources*' | sort -V); do cp=$cp:$jar; done
ckpt="$work/sd15-random-fp16.safetensors"
[ -f "$ckpt" ] || "${JAVA_HOME:-/usr}/bin/java" -cp "$cp" io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand "$ckpt"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "inspect --model CHECKPOINT (first use)" ./ldm4j inspect --model "$ckpt"
folder=$(ls -d "$LDM4J_HOME"/checkpoints/sd15-random-fp16-*)
for i in $(seq "$runs"); do
  measure "inspect --model CHECKPOINT (cached), run $i" ./ldm4j inspect --model "$ckpt"
  measure "inspect --model ONNX-FOLDER, run $i" ./ldm4j inspect --model "$folder"
done
measure "convert CHECKPOINT --output DIR" ./ldm4j convert "$ckpt" --output "$work/converted"
measure "generate --model CHECKPOINT 256px 2 steps" ./ldm4j generate --model "$ckpt" --prompt "a watercolor fox" \
  --steps 2 --width 256 --height 256 --quiet --output "$work/full.png"
