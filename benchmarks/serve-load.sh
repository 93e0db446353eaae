#!/usr/bin/env bash
# Load benchmark of `lenet5 serve` on loopback: benchmarks/serve-load.sh [CLIENTS] [REQUESTS]
# Starts the server (lenet5_tanh, -Xmx256m, port 18080) in its own JVM, runs the bounded load generator
# lenet5.bench.ServeLoad for OIP JSON infer and for PNG upload (CLIENTS keep-alive connections x
# REQUESTS each, default 32 x 20000), prints requests/s, p50/p99/p99.9 latency, errors and the server's
# memory, then stops the server with SIGTERM. Note the machine's load next to the figures.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
clients=${1:-32}
requests=${2:-20000}
port=18080
mvn -q -B -DskipTests -pl cli -am package
mvn -q -B -DskipTests -Pbench -pl benchmarks -am package
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
java -Xmx256m --add-modules jdk.incubator.vector -jar cli/target/lenet5.jar serve testdata/torch/lenet5_tanh.pt --port $port \
  2> >(grep -v '^WARNING: Using incubator modules' >&2) &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/v2/health/ready" >/dev/null 2>&1 && break
  sleep 0.2
done
for kind in infer image; do
  java -Xmx1g -cp benchmarks/target/benchmarks.jar lenet5.bench.ServeLoad --url "http://127.0.0.1:$port/" \
    --model lenet5_tanh --kind $kind --clients "$clients" --requests "$requests"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -TERM $server
wait $server || true
