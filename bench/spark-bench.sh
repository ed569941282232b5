#!/bin/sh
# rnnport-spark's benchmark: 1,000,000 MNIST rows (the t10k test set repeated 100x, Parquet under /tmp, never the
# repository) through `./rnnport-spark predict --master local[2]`, against the single-JVM SavedModelPredictor loop
# over the same rows at batch 1000 (bench-single, MNIST from IDX in memory) and against `rnnport predict` on the
# same Parquet files. Prints rows/s and peak RSS of each (GNU time's maximum RSS of the whole JVM).
# Build first: mvn -B package -DskipTests (the rnnport-spark jar and the rnnport CLI)
#   bench/spark-bench.sh [MODEL]        (default savedmodels/mnist-rnn/1)
# Env: RNNPORT_DATA_MIRROR (MNIST from $RNNPORT_DATA_MIRROR/mnist, else data/mnist), BENCH_DIR (default
# /tmp/rnnport-bench), REPEAT (default 100), BATCH (default 1000).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
model=${1:-savedmodels/mnist-rnn/1}
dir=${BENCH_DIR:-/tmp/rnnport-bench}
repeat=${REPEAT:-100}
batch=${BATCH:-1000}
mnist=data/mnist
[ -f "$mnist/t10k-images-idx3-ubyte.gz" ] || mnist="${RNNPORT_DATA_MIRROR:-../shared/data}/mnist"
mkdir -p "$dir"
input="$dir/mnist-x$repeat.parquet"
if [ ! -f "$input/_SUCCESS" ]; then
  ./rnnport-spark bench-data --mnist "$mnist" --repeat "$repeat" --output "$input"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
timing() { /usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M kB" "$@"; }
echo "== single JVM: SavedModelPredictor, batch $batch"
timing ./rnnport-spark bench-single --model "$model" --mnist "$mnist" --repeat "$repeat" --batch-size "$batch"
echo "== Spark local[2]: ./rnnport-spark predict, batch $batch"
timing ./rnnport-spark predict --master 'local[2]' --model "$model" --input "$input" --output "$dir/scored.parquet" \
  --overwrite --input-column pixels --keep id,label --batch-size "$batch"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== rnnport predict on the same Parquet files (the issue's single-JVM baseline), batch $batch"
timing env RNNPORT_NO_PROGRESS=1 ./rnnport predict --model "$model" --input "$input"/part-*.parquet --input-column input_X=pixels \
  --output "$dir/predict-classes.npy" --output-keys classes --batch-size "$batch"
rm -f "$dir/predict-classes.npy"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
