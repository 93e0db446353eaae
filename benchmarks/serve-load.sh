#!/usr/bin/env bash
# Load benchmark of `lenet5 serve` on loopback: benchmarks/serve-load.sh [CLIENTS] [REQUESTS]
# Starts the server (lenet5_tanh, -Xmx256m, port $SERVE_LOAD_PORT or 18080) in its own JVM, runs the bounded
# load generator lenet5.bench.ServeLoad for OIP JSON infer, OIP binary infer and PNG upload (CLIENTS keep-alive connections x
# REQUESTS each, default 32 x 20000), prints requests/s, p50/p99/p99.9 latency, errors and the server's memory,
# then stops the server with SIGTERM. Fails if the server does not start or any request fails. Needs only a JDK
# and Maven (a smoke run: benchmarks/serve-load.sh 4 200). Note the machine's load next to the figures.
# Output also goes to benchmarks/results/serve-load.txt (benchmarks/target/serve-load.txt for smaller runs than 32 x 20000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
clients=${1:-32}
requests=${2:-20000}
port=${SERVE_LOAD_PORT:-18080}
out=benchmarks/results/serve-load.txt
{ [ "$clients" -lt 32 ] || [ "$requests" -lt 20000 ]; } && out=benchmarks/target/serve-load.txt
mkdir -p "$(dirname "$out")"
exec > >(tee "$out") 2>&1
echo "benchmarks/serve-load.sh $clients $requests, $(date -u +%Y-%m-%dT%H:%MZ), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(java -version 2>&1 | head -1)"
mvn -q -B -DskipTests -Pbench -pl cli,benchmarks -am package
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx256m --add-modules jdk.incubator.vector -jar cli/target/lenet5.jar serve testdata/torch/lenet5_tanh.pt --port "$port" \
  2> >(grep -v '^WARNING: Using incubator modules' >&2) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
# Ready when the port answers (bash's /dev/tcp: no curl needed); give up after 60 s or if the server died.
for i in $(seq 1 300); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    break
  fi
  if ! kill -0 $server 2>/dev/null || [ "$i" = 300 ]; then
    echo "serve-load: the server did not start on port $port" >&2
    exit 1
  fi
  sleep 0.2
done
for kind in infer binary image; do
  java -Xmx1g -cp benchmarks/target/benchmarks.jar lenet5.bench.ServeLoad --url "http://127.0.0.1:$port/" \
    --model lenet5_tanh --kind $kind --clients "$clients" --requests "$requests"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM $server
wait $server || true
trap - EXIT
