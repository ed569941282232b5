#!/usr/bin/env bash
# The levers of the fast graph (issue #13), one after the other in one run (ratios only mean something within
# one run on these noisy machines): `rnnport bench MODEL` with the faithful graph, the fast graph, and the fast
# graph with one knob changed. A benchmark, not a test.
#   threads:  -Drnnport.tf.intraOpThreads / interOpThreads (TensorFlow's choice is 0 = one pool per core)
#   oneDNN:   TF_ENABLE_ONEDNN_OPTS=0 turns TensorFlow's oneDNN kernels off
#   XLA:      -Drnnport.tf.xla=true with TF_XLA_FLAGS=--tf_xla_cpu_global_jit (global_jit_level ON_1 alone does nothing on CPU)
#   LSTM:     -Drnnport.fast.lstmProjection=true (one input GEMM for all steps + elementwise gates, instead of
#             LSTMBlockCell per step)
# Usage: bench/fast-levers.sh [steps] [models...]   (default 200 steps; mnist-rnn mnist-lstm)
# Needs the built jars (mvn -B package -DskipTests) and MNIST in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-200}
shift || true
models=${*:-mnist-rnn mnist-lstm}
cp="rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*"
export RNNPORT_NO_PROGRESS=1 TF_CPP_MIN_LOG_LEVEL=2
out=target/bench-levers
mkdir -p "$out"
run() {  # run LABEL MODEL GRAPH [env/jvm args...]
  local label=$1 model=$2 graph=$3
  shift 3
  local envs=() jvm=()
  for a in "$@"; do case $a in -D*) jvm+=("$a") ;; *) envs+=("$a") ;; esac; done
  env "${envs[@]}" java -Xmx2g "${jvm[@]}" -cp "$cp" org.rnnport.cli.Main bench "$model" --graph "$graph" \
    --steps "$steps" --warmup 30 --eval-rounds 3 --json "$out/$model-$label.json" > /dev/null 2>&1
  python3 - "$out/$model-$label.json" "$model" "$label" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print("| %s | %s | %.2f | %.0f | %s |" % (sys.argv[2], sys.argv[3], j["trainMedianMsPerStep"], j["evalSamplesPerSecond"],
      j.get("peakRssMiB")))
PY
}
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| model | graph and lever | train ms/step | eval samples/s | peak RSS MiB |"
echo "|---|---|---|---|---|"
for m in $models; do
  run faithful "$m" faithful
  run fast "$m" fast
  run fast-intra2-inter1 "$m" fast -Drnnport.tf.intraOpThreads=2 -Drnnport.tf.interOpThreads=1
  run fast-intra1-inter2 "$m" fast -Drnnport.tf.intraOpThreads=1 -Drnnport.tf.interOpThreads=2
  run fast-onednn-off "$m" fast TF_ENABLE_ONEDNN_OPTS=0
  run fast-xla "$m" fast -Drnnport.tf.xla=true TF_XLA_FLAGS=--tf_xla_cpu_global_jit
  case $m in *lstm*) run fast-lstm-projection "$m" fast -Drnnport.fast.lstmProjection=true ;; esac
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
