#!/usr/bin/env bash
# Cost of switching LoRA sets on the full-size SD 1.5 architecture (F16 seeded random checkpoint, 2.13 GB,
# made by the checkpoint module's test-scope FullSizeCheckpointCommand; random kohya LoRAs over it written by
# LoraSwitchBench): in one JVM, the base model's open and a generation, each set's first and cached use through
# CheckpointGenerators (LoRA applied at load time), the old path (a conversion per set, opened as a whole
# model), and what ONNX Runtime holds per UNet session (weights read by ORT or given over one shared mapping,
# prepacking on/off; a fresh JVM each). Times and RSS deltas (anon / file-backed) from /proc/self/status.
# Needs ~20 GB of disk and ~12 GiB of memory (cache bound: JAVA_TOOL_OPTIONS=-Dbench.cacheGiB=N, default 6).
# Usage: app/bench/lora-switch-bench.sh [work-dir=/tmp/ldm4j-lora-bench] [size=256] [steps=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/ldm4j-lora-bench}
mkdir -p "$work"
export LDM4J_HOME="$work/home"
cpfile="$work/classpath.txt"
# the reactor resolves the sibling modules to their target/classes; checkpoint is built last, so its class path is the file's
./mvnw -q -B -o -pl checkpoint -am test-compile dependency:build-classpath -Dmdep.outputFile="$cpfile" \
  -Dmdep.includeScope=test >/dev/null 2>&1
cp="checkpoint/target/test-classes:checkpoint/target/classes:$(cat "$cpfile")"
java="${JAVA_HOME:-/usr}/bin/java"
ckpt="$work/sd15-random-fp16.safetensors"
[ -f "$ckpt" ] || "$java" -cp "$cp" io.github.ldm4j.checkpoint.sd.FullSizeCheckpointCommand "$ckpt"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load $(cut -d' ' -f1-3 /proc/loadavg)"
run() { "$java" --enable-native-access=ALL-UNNAMED -cp "$cp" io.github.ldm4j.checkpoint.sd.LoraSwitchBench "$@"; }
run "$ckpt" "$work" "${2:-256}" "${3:-2}"
# what ONNX Runtime holds per UNet session, each configuration in a fresh process
for mode in file-prepack mmap-prepack file-noprepack mmap-noprepack; do run ort "$mode" "$ckpt" "$work"; done
