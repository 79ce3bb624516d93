#!/usr/bin/env bash
# End-to-end numbers of the ldm4j command line and service on the embedded demo model:
# CLI generate wall time, `serve` time to ready, HTTP latency of POST /v1/images/generations
# (sequential) and throughput with concurrent clients. Build first:
#   ./mvnw -q -B -pl app -am package -DskipTests
# Usage: app/bench/service-bench.sh [requests=10] [clients=4] [port=18480]
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-10}
clients=${2:-4}
port=${3:-18480}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
tmp=$(mktemp -d)
trap 'kill "$server" 2>/dev/null || true; rm -rf "$tmp"' EXIT

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr)"
./ldm4j generate --prompt "warm-up" --steps 2 --quiet --output "$tmp/w.png" >/dev/null
for i in 1 2 3; do
  t0=$(ms); ./ldm4j generate --prompt "a red circle" --steps 20 --quiet --output "$tmp/g.png" >/dev/null; t1=$(ms)
  echo "cli generate 512px 20 steps (process start to exit), run $i: $((t1 - t0)) ms"
done

t0=$(ms)
./ldm4j serve --port "$port" --host 127.0.0.1 >"$tmp/out" 2>"$tmp/err" &
server=$!
until curl -sf "http://127.0.0.1:$port/q/health/ready" >/dev/null; do sleep 0.05; done
t1=$(ms)
echo "serve: process start to /q/health/ready UP: $((t1 - t0)) ms"

body='{"prompt":"a green square","size":"512x512","steps":20,"seed":1}'
post() { curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$port/v1/images/generations"; }
post # warm-up
lat=()
for i in $(seq "$requests"); do t0=$(ms); post; t1=$(ms); lat+=($((t1 - t0))); done
sorted=$(printf '%s\n' "${lat[@]}" | sort -n | tr '\n' ' ')
echo "sequential POST /v1/images/generations 512px 20 steps, $requests requests, ms sorted: $sorted"

t0=$(ms)
for c in $(seq "$clients"); do (for i in $(seq "$requests"); do post; done) & done
wait $(jobs -p | grep -v "^$server$") 2>/dev/null || true
t1=$(ms)
total=$((clients * requests))
echo "concurrent: $clients clients x $requests requests = $total images in $((t1 - t0)) ms ($(awk "BEGIN {printf \"%.2f\", $total * 1000 / ($t1 - $t0)}") images/s)"
curl -sf "http://127.0.0.1:$port/q/metrics" | grep -E '^ldm4j_(images_total|rejected_total|generation_seconds_(count|sum|max))' || true
