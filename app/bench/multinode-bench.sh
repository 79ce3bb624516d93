#!/usr/bin/env bash
# Multi-node numbers on the embedded demo model: the queue's overhead per job (sequential latency of
# `serve` alone vs. `serve --queue --no-models` + one `worker`) and throughput with 1 and 2 workers.
# Needs redis-server (Debian package). Build first:
#   ./mvnw -q -B -pl app -am package -DskipTests
# Usage: app/bench/multinode-bench.sh [requests=20] [clients=4] [steps=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
requests=${1:-20}
clients=${2:-4}
steps=${3:-20}
ms() { echo $(( $(date +%s%N) / 1000000 )); }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
tmp=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

rport=$(free_port)
redis-server --port "$rport" --bind 127.0.0.1 --dir "$tmp" --appendonly yes --save "" --daemonize no \
  --logfile "$tmp/redis.log" &
pids+=($!)
until redis-cli -p "$rport" ping >/dev/null 2>&1; do sleep 0.05; done
url="redis://127.0.0.1:$rport"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -sr), load: $(cut -d' ' -f1-3 /proc/loadavg)"
body="{\"prompt\":\"a green square\",\"steps\":$steps,\"seed\":1,\"width\":512,\"height\":512}"
post() { curl -sf -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$1/sdapi/v1/txt2img"; }
sequential() { # port label
  post "$1"; post "$1" # warm-up
  lat=()
  for i in $(seq "$requests"); do t0=$(ms); post "$1"; t1=$(ms); lat+=($((t1 - t0))); done
  sorted=$(printf '%s\n' "${lat[@]}" | sort -n)
  median=$(echo "$sorted" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$2: sequential, $requests requests, median $median ms, sorted: $(echo $sorted)"
}
concurrent() { # port label
  t0=$(ms)
  cps=()
  for c in $(seq "$clients"); do (for i in $(seq "$requests"); do post "$1"; done) & cps+=($!); done
  wait "${cps[@]}"
  t1=$(ms)
  total=$((clients * requests))
  echo "$2: $clients clients x $requests = $total images in $((t1 - t0)) ms ($(awk "BEGIN {printf \"%.2f\", $total * 1000 / ($t1 - $t0)}") images/s)"
}
ready() { until curl -sf "http://127.0.0.1:$1/q/health/ready" >/dev/null; do sleep 0.1; done; }
workers() { curl -sf "http://127.0.0.1:$1/ldm4j/workers" | grep -o '"id"' | wc -l; }

lport=$(free_port)
./ldm4j serve --port "$lport" --host 127.0.0.1 >"$tmp/local.out" 2>"$tmp/local.err" &
pids+=($!); local_pid=$!
ready "$lport"
sequential "$lport" "local serve (no queue)"
concurrent "$lport" "local serve (no queue)"
kill "$local_pid"; wait "$local_pid" 2>/dev/null || true

aport=$(free_port)
./ldm4j serve --port "$aport" --host 127.0.0.1 --queue "$url" --no-models >"$tmp/api.out" 2>"$tmp/api.err" &
pids+=($!)
./ldm4j worker --redis "$url" >"$tmp/w1.out" 2>"$tmp/w1.err" &
pids+=($!)
ready "$aport"
until [ "$(workers "$aport")" -ge 1 ]; do sleep 0.1; done
sequential "$aport" "API node + 1 worker"
concurrent "$aport" "API node + 1 worker"
./ldm4j worker --redis "$url" >"$tmp/w2.out" 2>"$tmp/w2.err" &
pids+=($!)
until [ "$(workers "$aport")" -ge 2 ]; do sleep 0.1; done
post "$aport"; post "$aport" # warm-up of the second worker
concurrent "$aport" "API node + 2 workers"
curl -sf "http://127.0.0.1:$aport/q/metrics" | grep -E '^ldm4j_(images_total|generation_seconds_(count|sum|max))' || true
redis-cli -p "$rport" hgetall ldm4j:stats:default | paste - - | sed 's/^/redis stats: /'
