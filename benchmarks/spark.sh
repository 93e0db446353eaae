#!/usr/bin/env bash
# Spark benchmark (issue 13): images/s scoring N digits (default 1,000,000, the 2,000 committed MNIST
# test digits repeated) from Parquet, one JVM with two threads vs Spark local[2].
#   benchmarks/spark.sh [N] [repetitions]      (the Parquet input is generated once into spark/target/bench)
# Prints one line per measurement, Spark's overhead (session start-up, first job; per job a fixed cost and the steady
# rate, from a 2,000-digit job and the N-digit job) and a summary; writes benchmarks/results/spark.txt
# (benchmarks/target/spark.txt for N below 1,000,000, so smoke runs leave the committed figures alone).
# Smoke test on a fresh clone: benchmarks/spark.sh 20000 2 (figures only from an otherwise idle machine).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
n="${1:-1000000}"
reps="${2:-2}"
cp_file="$root/spark/target/bench-classpath.txt"
echo "== building the spark module and its test class path"
mvn -q -B -DskipTests -pl spark -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile="$cp_file"
opts_src="$root/spark/target/Opts.java"
printf '%s\n' 'public class Opts { public static void main(String[] a) {' \
  'System.out.print(org.apache.spark.launcher.JavaModuleOptions.defaultModuleOptions()); } }' > "$opts_src"
opts="$(java -cp "$(cat "$cp_file")" "$opts_src")"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
out="$root/benchmarks/results/spark.txt"
[ "$n" -lt 1000000 ] && out="$root/benchmarks/target/spark.txt"
mkdir -p "$(dirname "$out")"
# shellcheck disable=SC2086
java -Xmx6g $opts -cp "$root/spark/target/test-classes:$root/spark/target/classes:$(cat "$cp_file")" \
  lenet5.spark.SparkBenchmark testdata/torch/lenet5_tanh.pt "$root/spark/target/bench" "$n" "$reps" \
  2> >(grep -v -e 'WARNING: Using incubator modules' -e '^[0-9/]* [0-9:]* INFO ' >&2) \
  | tee "$out"
echo "load average (1/5/15 min) at start: $load_start, at end: $(cut -d' ' -f1-3 /proc/loadavg)" \
  | tee -a "$out"
