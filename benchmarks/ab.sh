#!/usr/bin/env bash
# Compares the kernels of two commits in one JVM: benchmarks/ab.sh REV_A REV_B [BATCH] [WINDOWS] [--scalar]
#   Builds core (main and test classes) of each revision in a worktree under benchmarks/target/ab/,
#   then runs lenet5.bench.AlternatingAB from the JMH jar (built if stale): both builds in their own class loaders, alternating 0.25 s
#   windows on the same input, B/A reported as a ratio of means and the median of window pairs.
#   --scalar runs the plain-Java kernels (no Vector API module), otherwise the JVM has the module.
#   REV may be WORK for the working tree as it is. Runs from the repository root (committed test data).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$root"
[ $# -ge 2 ] || { echo "usage: benchmarks/ab.sh REV_A REV_B [BATCH] [WINDOWS] [--scalar]" >&2; exit 2; }
a=$1 b=$2 batch=${3:-32} windows=${4:-30} flags=(--add-modules jdk.incubator.vector)
[ "${5:-}" = --scalar ] && flags=()
build() { # rev -> prints the classpath of its core build
  local rev=$1 dir
  if [ "$rev" = WORK ]; then
    dir="$root"
  else
    dir="$here/target/ab/$(git rev-parse --short "$rev")"
    [ -d "$dir" ] || git worktree add -f --detach "$dir" "$rev" >/dev/null 2>&1
  fi
  mkdir -p "$here/target/ab"
  (cd "$dir" && mvn -q -B test-compile -pl core) > "$here/target/ab/build.log" 2>&1 || { cat "$here/target/ab/build.log" >&2; exit 1; }
  echo "$dir/core/target/classes:$dir/core/target/test-classes"
}
cpa="$(build "$a")"
cpb="$(build "$b")"
jar="$here/target/benchmarks.jar"
if [ ! -f "$jar" ] || [ -n "$(find "$here/src" "$root/core/src/main" -newer "$jar" -print -quit)" ]; then
  mvn -q -B -Pbench package -pl benchmarks -am -DskipTests > "$here/target/ab/build.log" 2>&1 || { cat "$here/target/ab/build.log" >&2; exit 1; }
fi
"${JAVA_HOME:+$JAVA_HOME/bin/}java" "${flags[@]}" -cp "$jar" lenet5.bench.AlternatingAB "$batch" "$windows" "$cpa" "$cpb" 2>&1 \
  | grep -v '^WARNING: Using incubator'
