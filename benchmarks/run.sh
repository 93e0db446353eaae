#!/usr/bin/env bash
# Runs every benchmark and prints one table: benchmarks/run.sh [--quick | --smoke]
#   full  (default): JMH 3 forks x (5 x 2 s warm-up + 5 x 1 s measurement) per configuration of this
#                    engine and ONNX Runtime (DL4J and latency 1 fork), ~20 min; results in benchmarks/results/
#   quick (--quick): JMH 1 fork x (3 x 1 s + 3 x 1 s), shorter PyTorch windows, ~6 min; labelled "quick"
#   smoke (--smoke): every step once with tiny windows (~2-3 min, most of it building), results in
#                    benchmarks/target/smoke/ (never the committed ones); .ci/run runs it so this script cannot rot
# Works on a fresh clone: builds core and the JMH uber-jar in one reactor build (nothing is installed).
# Needs: JDK 17+, Maven (Maven Central), /usr/bin/python3 with torch (Debian python3-torch) and
# python3-matplotlib for the chart (installed here with apt-get when missing and running as root).
# Results: results.md (table), results.csv, results.json, throughput.png, machine.txt, raw/ (JMH JSON).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
mode=full
case "${1:-}" in
  --quick) mode=quick ;;
  --smoke) mode=smoke ;;
  "") ;;
  *) echo "usage: benchmarks/run.sh [--quick | --smoke]" >&2; exit 2 ;;
esac
out="$here/results"
[ "$mode" = smoke ] && out="$here/target/smoke"
raw="$out/raw"
tmp="$out/tmp"
rm -rf "$raw" "$tmp"
mkdir -p "$raw" "$tmp"
py=/usr/bin/python3

if ! "$py" -c 'import matplotlib' 2>/dev/null && [ "$(id -u)" = 0 ]; then
  echo "== installing python3-matplotlib (for the chart)"
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-matplotlib) >/dev/null || true
fi

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "== building core and the JMH jar"
mvn -q -B -Pbench package -pl benchmarks -am -DskipTests
jar="$here/target/benchmarks.jar"

batches=1,32,256,1024
batches2=256,1024
case "$mode" in
  full)
    jmh=(-f 3 -wi 5 -w 2s -i 5 -r 1s)
    jmh1=(-f 1 -wi 5 -w 2s -i 5 -r 1s)   # DL4J and latency: one fork
    torch=(--warmup 3 --window 1 --windows 5)
    e2e_runs=3 startup_runs=10 ;;
  quick)
    jmh=(-f 1 -wi 3 -w 1s -i 3 -r 1s)
    jmh1=("${jmh[@]}")
    torch=(--warmup 1 --window 1 --windows 3)
    e2e_runs=1 startup_runs=10 ;;
  smoke)
    jmh=(-f 1 -wi 1 -w 200ms -i 1 -r 200ms)
    jmh1=("${jmh[@]}")
    torch=(--warmup 0.1 --window 0.1 --windows 1 --batches 1,256)
    batches=1,256 batches2=256
    e2e_runs=1 startup_runs=2 ;;
esac
vector=(-jvmArgsAppend "--add-modules jdk.incubator.vector -Xmx2g")
run_jmh() { # name, jmh args...
  local name=$1; shift
  echo "== JMH $name"
  java -jar "$jar" "$@" -prof gc -rf json -rff "$raw/$name.json" | grep -E '^(Benchmark|Engine|Latency|Dl4j|Ort)|kernels:|DL4J|ONNX' || true
  [ -s "$raw/$name.json" ] || { echo "benchmarks/run.sh: JMH $name produced no results" >&2; exit 1; }
}
run_jmh engine EngineBenchmark.predict -p threads=1 -p batch=$batches "${jmh[@]}" "${vector[@]}"
run_jmh engine-2threads EngineBenchmark.predict -p threads=2 -p batch=$batches2 "${jmh[@]}" "${vector[@]}"
# The plain-Java kernels: what a JVM without the incubator module runs.
run_jmh engine-scalar EngineBenchmark.predict -p threads=1 -p batch=$batches "${jmh[@]}" -jvmArgsAppend "-Xmx2g"
# ONNX Runtime: 1 and 2 intra-op threads (settings in OrtLenet).
run_jmh ort OrtBenchmark.run -p threads=1 -p batch=$batches "${jmh[@]}"
run_jmh ort-2threads OrtBenchmark.run -p threads=2 -p batch=$batches2 "${jmh[@]}"
run_jmh latency LatencyBenchmark.predict -p threads=1 -p batch=1,32 "${jmh1[@]}" "${vector[@]}"
# DL4J pinned to one thread: OMP_NUM_THREADS for libnd4j's OpenMP and OpenBLAS, plus the fork flags in Dl4jBenchmark.
OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 run_jmh dl4j Dl4jBenchmark.output -p batch=$batches "${jmh1[@]}"

echo "== PyTorch"
"$py" "$here/torch_bench.py" "${torch[@]}" --out "$raw/torch.json" 2>&1 | grep -v Warning

echo "== end to end: 10,000 MNIST images, and one image, whole process"
images="$tmp/mnist10k-images-idx3-ubyte.gz"
one="$tmp/one-image.f32"
"$py" - "$images" "$one" <<'PY'
import gzip, sys
raw = gzip.open("testdata/mnist/test-images-idx3-ubyte.gz").read()
n = int.from_bytes(raw[4:8], "big")
body = raw[16:] * (10000 // n)
with gzip.open(sys.argv[1], "wb") as f:
    f.write(raw[:4] + (10000).to_bytes(4, "big") + raw[8:16] + body)
with open(sys.argv[2], "wb") as f:  # the first test digit as float32 in [0, 1]
    import struct
    f.write(struct.pack("<784f", *(b / 255 for b in raw[16:16 + 784])))
PY
./lenet5 predict testdata/torch/lenet5_tanh.pt --images "$images" > /dev/null  # builds the CLI once, untimed
timeit() { # runs, command...: the median wall time in seconds
  "$py" - "$@" <<'PY'
import statistics, subprocess, sys, time
times = []
for _ in range(int(sys.argv[1])):
    t0 = time.perf_counter()
    subprocess.run(sys.argv[2:], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times.append(time.perf_counter() - t0)
print(f"{statistics.median(times):.3f}")
PY
}
lenet5_s=$(timeit "$e2e_runs" ./lenet5 predict testdata/torch/lenet5_tanh.pt --images "$images")
torch_s=$(timeit "$e2e_runs" "$py" "$here/torch_predict.py" testdata/torch/lenet5_tanh.pt "$images")
startup_s=$(timeit "$startup_runs" ./lenet5 predict testdata/torch/lenet5_tanh.pt --input "$one")
cat > "$raw/e2e.json" <<JSON
{"images": 10000, "runs": $e2e_runs, "lenet5_s": $lenet5_s, "torch_s": $torch_s,
 "lenet5_command": "./lenet5 predict testdata/torch/lenet5_tanh.pt --images mnist10k.gz",
 "torch_command": "python3 benchmarks/torch_predict.py testdata/torch/lenet5_tanh.pt mnist10k.gz",
 "startup_runs": $startup_runs, "startup_s": $startup_s,
 "startup_command": "./lenet5 predict testdata/torch/lenet5_tanh.pt --input one-image.f32"}
JSON

echo "== report ($mode)"
{
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, $(grep -m1 'cpu MHz' /proc/cpuinfo | cut -d: -f2 | xargs) MHz nominal, $(grep -qw avx512f /proc/cpuinfo && echo AVX-512 || { grep -qw avx2 /proc/cpuinfo && echo AVX2, no AVX-512 || echo no AVX2; }), $(lscpu | grep -m1 'L2 cache' | tr -s ' ')"
  echo "jdk: $(java -version 2>&1 | head -2 | tail -1)"
  echo "torch: $("$py" -c 'import torch; print(torch.__version__)' 2>/dev/null)"
  echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "mode: $mode, date: $(date -u +%Y-%m-%dT%H:%MZ)"
} | tee "$out/machine.txt"
lscpu > "$out/lscpu.txt"
"$py" "$here/report.py" --raw "$raw" --out "$out" --mode "$mode"
rm -rf "$tmp"
