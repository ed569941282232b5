#!/usr/bin/env bash
# Benchmark of `rnnport fit` on an npy larger than the JVM heap (not a test): the MNIST training images as float32
# [60,000 * TIMES, 28, 28] x.npy (TIMES=6: 360,000 rows, 1.13 GB) and int64 y.npy (bench/fit-bigfile.py), a
# tf-keras GRU(16) -> Dense(10, softmax) model, one epoch at batch BATCH with -Xmx256m: samples/s (history.json's
# trainSeconds) and the java process's peak RSS (VmHWM). Against tf-keras 2.18's own fit on the same files
# (np.load(mmap_mode='r'), same model and batch, one epoch) in the same run: its seconds and peak RSS.
# Usage: bench/fit-bigfile.sh [TIMES] [BATCH]   (default 6 and 500)
#   BENCH_JSON=FILE (default target/bench/fit-bigfile.json): the figures as JSON (bench/benchjson.py)
# Needs: the built jar (mvn -B package -DskipTests), the parity venv (RNNPORT_PYTHON or ~/.cache/rnnport/venv-*),
# MNIST in ./data/mnist or $RNNPORT_DATA_MIRROR/mnist. The files go to $TMPDIR and are deleted afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
times=${1:-6}
batch=${2:-500}
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
mnist=data/mnist
[ -f "$mnist/train-images-idx3-ubyte.gz" ] || mnist=${RNNPORT_DATA_MIRROR:-../shared/data}/mnist
[ -f "$mnist/train-images-idx3-ubyte.gz" ] || { echo "fetch MNIST first: ./rnnport data fetch mnist" >&2; exit 1; }
py=${RNNPORT_PYTHON:-$(ls -d ~/.cache/rnnport/venv-*/bin/python | head -1)}
json=${BENCH_JSON:-target/bench/fit-bigfile.json}
python3 bench/benchjson.py begin "$json" fit-bigfile "rnnport fit on an npy larger than the heap (-Xmx256m)" \
  -- bench/fit-bigfile.sh "$times" "$batch"
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnport-bench-fit.XXXXXX")
trap 'rm -rf "$work"; python3 bench/benchjson.py end "$json"; echo "wrote $json"' EXIT
export RNNPORT_NO_PROGRESS=1 TF_CPP_MIN_LOG_LEVEL=2

"$py" bench/fit-bigfile.py "$mnist" "$work" "$times" 2>/dev/null
bytes=$(stat -c %s "$work/x.npy")
rows=$((60000 * times))
echo "x.npy: $bytes bytes, $rows rows"

# peak RSS: VmHWM of the process, polled while it runs (the launcher execs the JVM: its pid is java's)
peak() {
  local pid=$1 hwm=0 v
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$hwm" ] && hwm=$v
    sleep 0.2
  done
  echo "$hwm"
}

t0=$(date +%s%N)
RNNPORT_JAVA_OPTS="-Xmx256m" ./rnnport fit --model "$work/model.json" --data "$work/x.npy" --x x --y y \
  --loss sparse_categorical_crossentropy --batch-size "$batch" --epochs 1 --seed 1 -o "$work/run" --no-export \
  > "$work/fit.log" 2>&1 &
pid=$!
hwm=$(peak "$pid")
wait "$pid" || { cat "$work/fit.log"; exit 1; }
wall=$(python3 -c "print(round(($(date +%s%N) - $t0) / 1e9, 1))")
secs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['timings']['trainSeconds'])" "$work/run/history.json")
access=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['hyperparameters']['dataAccess'])" "$work/run/history.json")
sps=$(python3 -c "print(round($rows / $secs))")
echo "rnnport fit -Xmx256m: $rows rows in $secs s ($sps samples/s, read by $access), peak RSS $((hwm / 1024)) MiB;" \
  "the whole command (JVM start, checking pass, training, history) $wall s"
python3 bench/benchjson.py row "$json" "one epoch on one large npy (GRU(16), batch $batch)" "side=rnnport fit -Xmx256m" \
  "rows=$rows" "bytes=$bytes" "samples/s=$sps" "peak RSS MiB=$((hwm / 1024))" "command s=$wall" "inputs=$access"

"$py" bench/fit-bigfile.py --keras "$work" "$work/keras.json" "$batch" > "$work/keras.log" 2>&1 &
pid=$!
hwm=$(peak "$pid")
wait "$pid" || { cat "$work/keras.log"; exit 1; }
ksecs=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['seconds'])" "$work/keras.json")
ksps=$(python3 -c "print(round($rows / $ksecs))")
echo "tf-keras fit (np.load mmap_mode='r'): $rows rows in $ksecs s ($ksps samples/s), peak RSS $((hwm / 1024)) MiB"
python3 bench/benchjson.py row "$json" "one epoch on one large npy (GRU(16), batch $batch)" \
  "side=tf-keras 2.18 fit, mmap" "rows=$rows" "bytes=$bytes" "samples/s=$ksps" "peak RSS MiB=$((hwm / 1024))" \
  "inputs=np.load(mmap_mode='r')"
python3 bench/benchjson.py note "$json" "samples/s: rows / the training seconds of one epoch (rnnport: history.json's \
trainSeconds; Keras: around model.fit). command s: rnnport's whole command, JVM start to exit, with the pass that checks \
every row before the first step. Peak RSS: VmHWM of the process. The file is read by index (rnnport: \
positioned reads of each batch's rows) or memory-mapped (numpy); the page cache is not in either RSS figure \
except for the pages numpy maps."
