#!/usr/bin/env bash
# Runs every benchmark and prints one table: benchmarks/run.sh [--quick]
#   full  (default): JMH 3 forks x (5 x 3 s warm-up + 4 x 2 s measurement) per configuration, < 30 min
#   quick (--quick): JMH 1 fork x (3 x 1 s + 3 x 1 s), shorter PyTorch windows, ~5 min; labelled "quick"
# Needs: JDK 17+, Maven (Maven Central), /usr/bin/python3 with torch (Debian python3-torch) and
# python3-matplotlib for the chart (installed here with apt-get when missing and running as root).
# Results: benchmarks/results/{results.md,results.csv,results.json,throughput.png} and raw/ (JMH JSON).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
mode=full
[ "${1:-}" = "--quick" ] && mode=quick
raw="$here/results/raw"
tmp="$here/results/tmp"
mkdir -p "$raw" "$tmp"
py=/usr/bin/python3

if ! "$py" -c 'import matplotlib' 2>/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing python3-matplotlib (for the chart)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib) >/dev/null || true
fi

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== building core and the JMH jar"
mvn -q -B install -pl core -DskipTests
mvn -q -B -Pbench package -pl benchmarks
jar="$here/target/benchmarks.jar"

if [ "$mode" = quick ]; then
  jmh=(-f 1 -wi 3 -w 1s -i 3 -r 1s)
  torch=(--warmup 1 --window 1 --windows 3)
  e2e_runs=1
else
  jmh=(-f 3 -wi 5 -w 3s -i 4 -r 2s)
  torch=(--warmup 5 --window 2 --windows 5)
  e2e_runs=3
fi
vector=(-jvmArgsAppend "--add-modules jdk.incubator.vector -Xmx2g")
run_jmh() { # name, jmh args...
  local name=$1; shift
  echo "== JMH $name"
  java -jar "$jar" "$@" "${jmh[@]}" -prof gc -rf json -rff "$raw/$name.json" | grep -E '^(Benchmark|Engine|Latency|Dl4j)|kernels:|DL4J' || true
}
run_jmh engine EngineBenchmark.predict -p threads=1 -p batch=1,32,256,1024 "${vector[@]}"
run_jmh engine-2threads EngineBenchmark.predict -p threads=2 -p batch=256,1024 "${vector[@]}"
# The plain-Java kernels: what a JVM without the incubator module runs.
run_jmh engine-scalar EngineBenchmark.predict -p threads=1 -p batch=1,32,256,1024 -jvmArgsAppend "-Xmx2g"
run_jmh latency LatencyBenchmark.predict -p threads=1 -p batch=1,32 "${vector[@]}"
# DL4J pinned to one thread: OMP_NUM_THREADS for libnd4j's OpenMP and OpenBLAS, plus the fork flags in Dl4jBenchmark.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 run_jmh dl4j Dl4jBenchmark.output -p batch=1,32,256,1024

echo "== PyTorch"
"$py" "$here/torch_bench.py" "${torch[@]}" --out "$raw/torch.json" 2>&1 | grep -v Warning

echo "== end to end: 10,000 MNIST images, whole process"
images="$tmp/mnist10k-images-idx3-ubyte.gz"
"$py" - "$images" <<'PY'
import gzip, sys
raw = gzip.open("testdata/mnist/test-images-idx3-ubyte.gz").read()
n = int.from_bytes(raw[4:8], "big")
body = raw[16:] * (10000 // n)
with gzip.open(sys.argv[1], "wb") as f:
    f.write(raw[:4] + (10000).to_bytes(4, "big") + raw[8:16] + body)
PY
./lenet5 predict testdata/torch/lenet5_tanh.pt --images "$images" > /dev/null  # builds the CLI once, untimed
timeit() { # the median wall time, in seconds, of $e2e_runs runs of the command
  "$py" - "$e2e_runs" "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t0)
print(f"{statistics.median(times):.3f}")
PY
}
lenet5_s=$(timeit ./lenet5 predict testdata/torch/lenet5_tanh.pt --images "$images")
torch_s=$(timeit "$py" "$here/torch_predict.py" testdata/torch/lenet5_tanh.pt "$images")
cat > "$raw/e2e.json" <<JSON
{"images": 10000, "runs": $e2e_runs, "lenet5_s": $lenet5_s, "torch_s": $torch_s,
 "lenet5_command": "./lenet5 predict testdata/torch/lenet5_tanh.pt --images mnist10k.gz",
 "torch_command": "python3 benchmarks/torch_predict.py testdata/torch/lenet5_tanh.pt mnist10k.gz"}
JSON

echo "== report ($mode)"
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | xargs) MHz nominal, $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || echo no AVX-512), $(lscpu | grep -m1 'L2 cache' | tr -s ' ')"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "torch: $("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode: $mode, date: $(date -u +%Y-%m-%dT%H:%MZ)"
} | tee "$here/results/machine.txt"
"$py" "$here/report.py" --raw "$raw" --mode "$mode"
