#!/usr/bin/env bash
# A/B of TensorFlow's thread spinning (-Drnnport.tf.disableThreadSpinning=true sets
# ConfigProto.experimental.disable_thread_spinning: the session's pools block instead of spinning while they
# wait for work). Each arm, back to back on the same machine: bench/predict.sh (eval vs predict, 1 and 2
# workers), bench/serve-bench.sh's REST and gRPC figures 1-2, and `rnnport bench mnist-rnn` (fast graph).
# Usage: bench/spin-ab.sh [runs] [serve-seconds]   (default 3 and 15). Loopback only; needs what those need.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
secs=${2:-15}
for arm in spinning blocking; do
  opt=""
  [ "$arm" = blocking ] && opt="-Drnnport.tf.disableThreadSpinning=true"
  echo "######## $arm ($opt) $(date -u +%T), load average $(cut -d' ' -f1-3 /proc/loadavg)"
  RNNPORT_JAVA_OPTS="-Xmx4g $opt" bench/predict.sh "$runs" 1 2>&1 | grep -E "samples/s|workers"
  RNNPORT_JAVA_OPTS="-Xmx256m $opt" ONLY=rest bench/serve-bench.sh "$secs" 2>&1 | grep -E "RESULT|=="
  RNNPORT_JAVA_OPTS="-Xmx256m $opt" ONLY=grpc bench/serve-bench.sh "$secs" 2>&1 | grep -E "RESULT|=="
  RNNPORT_JAVA_OPTS="-Xmx4g $opt" ./rnnport bench mnist-rnn --graph fast --steps 200 --warmup 30 --eval-rounds 3 \
    2>/dev/null | grep -E "ms/step|samples/s"
done
