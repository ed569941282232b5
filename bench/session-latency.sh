#!/usr/bin/env bash
# Benchmark (not a test): one in-process session run of mnist-rnn at batch 1 under four thread settings
# (intra-op / inter-op: TensorFlow's choice, inter-op -1 (the caller's thread), and one intra-op thread with
# each), ROUNDS rounds alternating the settings, a fresh JVM per arm; the last two of each arm's 4 inner
# rounds are printed (the first two warm up).
# Usage: bench/session-latency.sh [rounds] [iterations]   (default 2 and 5000)
# Needs: the built jars (mvn -B package -DskipTests).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
iters=${2:-5000}
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
for r in $(seq "$rounds"); do
  for arm in "0 0" "0 -1" "1 0" "1 -1"; do
    # shellcheck disable=SC2086
    TF_CPP_MIN_LOG_LEVEL=2 java -cp "rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*" \
      bench/SessionRunLatency.java savedmodels/mnist-rnn/1 "$iters" $arm 4 2>/dev/null | grep -E "round [23]"
  done
done
