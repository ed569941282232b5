#!/bin/sh
# rnnport-spark's benchmark: 1,000,000 MNIST rows (the t10k test set repeated 100x, Parquet under /tmp, never the
# repository) through `./rnnport-spark predict --master local[2]`, against the single-JVM SavedModelPredictor loop
# over the same rows at batch 1000 (bench-single, MNIST from IDX in memory) and against `rnnport predict` on the
# same Parquet files. Prints rows/s and peak RSS of each (GNU time's maximum RSS of the whole JVM).
# Build first: mvn -B package -DskipTests (the rnnport-spark jar and the rnnport CLI)
#   bench/spark-bench.sh [MODEL]        (default savedmodels/mnist-rnn/1)
# Env: RNNPORT_DATA_MIRROR (MNIST from $RNNPORT_DATA_MIRROR/mnist, else data/mnist), BENCH_DIR (default
# /tmp/rnnport-bench), REPEAT (default 100), BATCH (default 1000), BENCH_JSON (where the figures go as JSON, default
# target/bench/spark.json; bench/benchjson.py: command, date, machine, load average at start and end).
set -eu
# every Spark socket on loopback (Spark otherwise binds the host's first non-loopback address)
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
model=${1:-savedmodels/mnist-rnn/1}
dir=${BENCH_DIR:-/tmp/rnnport-bench}
repeat=${REPEAT:-100}
batch=${BATCH:-1000}
mnist=data/mnist
[ -f "$mnist/t10k-images-idx3-ubyte.gz" ] || mnist="${RNNPORT_DATA_MIRROR:-../shared/data}/mnist"
mkdir -p "$dir"
json=${BENCH_JSON:-target/bench/spark.json}
python3 bench/benchjson.py begin "$json" spark "rnnport-spark on local[2] against a single JVM, MNIST rows x $repeat" \
  -- "REPEAT=$repeat BATCH=$batch bench/spark-bench.sh" "$@"
input="$dir/mnist-x$repeat.parquet"
if [ ! -f "$input/_SUCCESS" ]; then
  ./rnnport-spark bench-data --mnist "$mnist" --repeat "$repeat" --output "$input"
fi
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; load average now: $(cut -d' ' -f1-3 /proc/loadavg)"
timing() { /usr/bin/time -f "  wall %e s, user %U s, sys %S s, max RSS %M kB" "$@"; }
echo "== single JVM: SavedModelPredictor, batch $batch"
timing ./rnnport-spark bench-single --model "$model" --mnist "$mnist" --repeat "$repeat" --batch-size "$batch" \
  > "$dir/single.log" 2>&1 || { cat "$dir/single.log"; exit 1; }
grep -E "single-jvm|wall" "$dir/single.log"
echo "== Spark local[2]: ./rnnport-spark predict, batch $batch"
timing ./rnnport-spark predict --master 'local[2]' --model "$model" --input "$input" --output "$dir/scored.parquet" \
  --overwrite --input-column pixels --keep id,label --batch-size "$batch" > "$dir/spark.log" 2>&1 \
  || { cat "$dir/spark.log"; exit 1; }
grep -E "rnnport-spark: [0-9]|wall" "$dir/spark.log"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== rnnport predict on the same Parquet files (the issue's single-JVM baseline), batch $batch"
timing env RNNPORT_NO_PROGRESS=1 ./rnnport predict --model "$model" --input "$input"/part-*.parquet --input-column input_X=pixels \
  --output "$dir/predict-classes.npy" --output-keys classes --batch-size "$batch" > "$dir/predict.log" 2>&1 \
  || { cat "$dir/predict.log"; exit 1; }
grep -E "rows in|wall" "$dir/predict.log"
rm -f "$dir/predict-classes.npy"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$json" "$dir" "$batch" <<'PY'
import re, subprocess, sys
json_file, d, batch = sys.argv[1:]
legs = [("single JVM: SavedModelPredictor loop (bench-single)", "single.log",
         r"single-jvm: (\d+) rows in ([\d.]+) s = (\d+) rows/s"),
        ("Spark local[2]: rnnport-spark predict, Parquet in and out", "spark.log",
         r"rnnport-spark: (\d+) rows -> .* in ([\d.]+) s, (\d+) rows/s"),
        ("rnnport predict on the same Parquet files", "predict.log",
         r"(\d+) rows in ([\d.]+) s \((\d+) samples/s")]
rate = {}
for name, log, pattern in legs:
    text = open(d + "/" + log).read()
    m = re.search(pattern, text)
    t = re.search(r"wall ([\d.]+) s, user ([\d.]+) s, sys [\d.]+ s, max RSS (\d+) kB", text)
    rate[log] = int(m[3])
    subprocess.run([sys.executable, "bench/benchjson.py", "row", json_file, "rows/s at batch " + batch, "run=" + name,
                    "rows=%s" % m[1], "rows/s=%s" % m[3], "job s=%s" % m[2], "wall s (with start-up)=%s" % t[1],
                    "user CPU s=%s" % t[2], "peak RSS MiB=%d" % (int(t[3]) // 1024)], check=True)
subprocess.run([sys.executable, "bench/benchjson.py", "note", json_file,
                "Spark / single JVM: %.2f; Spark / rnnport predict on the same Parquet files: %.2f." % (
                    rate["spark.log"] / rate["single.log"], rate["spark.log"] / rate["predict.log"])], check=True)
PY
python3 bench/benchjson.py end "$json"
echo "wrote $json"
