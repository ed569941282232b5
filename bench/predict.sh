#!/usr/bin/env bash
# Benchmark of `rnnport predict` (not a test). Part 1: predict on mnist-rnn (npy in, npy out, batch
# 1000) against `rnnport eval` on the same model and test split, samples/s end to end, median of RUNS
# runs, for 1 and 2 inference workers, as commands (each by its own clock and by the wall clock of the whole
# command) and then in one JVM (3 x RUNS alternating rounds); then predict on 100,000 rows with 1 vs 2 workers (steady state). Part 2: peak RSS (VmHWM) of `predict -Xmx256m` on a ~2 GB
# float32 npy made by repeating the MNIST test set (in $TMPDIR, deleted afterwards; never in the repo).
# Usage: bench/predict.sh [runs] [repeats-of-the-test-set]   (default 5 and 64: 640,000 rows, 2.0 GB)
#   BENCH_JSON=FILE (default target/bench/predict.json): the figures as JSON (bench/benchjson.py)
# Needs: the built jar (mvn -B package -DskipTests), python3 (stdlib only), MNIST in ./data
# (./rnnport data fetch mnist, or --from ../shared/data).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
repeats=${2:-64}
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
[ -f data/mnist/t10k-images-idx3-ubyte.gz ] || { echo "fetch MNIST first: ./rnnport data fetch mnist" >&2; exit 1; }
json=${BENCH_JSON:-target/bench/predict.json}
python3 bench/benchjson.py begin "$json" predict "Batch prediction: rnnport predict against rnnport eval, mnist-rnn" \
  -- bench/predict.sh "$runs" "$repeats"
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnport-bench-predict.XXXXXX")
trap 'rm -rf "$work"; python3 bench/benchjson.py end "$json"; echo "wrote $json"' EXIT
export RNNPORT_NO_PROGRESS=1 TF_CPP_MIN_LOG_LEVEL=2

# the MNIST test images as float32 [n, 784] npy (bench/mnist-npy.py), repeated `repeats` times into big.npy
python3 bench/mnist-npy.py "$work" test=1 mid=10 big="$repeats"
ls -l "$work"/*.npy | awk '{print $5, $9}'

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
for w in 1 2; do
  e=(); p=()
  # the order alternates (eval first in odd runs, predict first in even ones): the second JVM of a pair ran
  # slower in either order (9-run medians, 2026-11-28), so a fixed order favoured whichever went first
  ew=(); pw=()
  # each command's own clock (its pipeline, after the model's load and warm-up; eval's split is loaded
  # before it) and the wall clock of the whole command (JVM start to exit), rows / seconds
  run_eval() {
    local t=$(date +%s%N)
    e+=("$(./rnnport eval --model savedmodels/mnist-rnn/1 --batch-size 1000 --workers "$w" \
      | sed -n 's/.* (\([0-9]*\) samples\/s end to end.*/\1/p')")
    ew+=("$(( 10000 * 1000000000 / ($(date +%s%N) - t) ))")
  }
  run_predict() {
    local t=$(date +%s%N)
    p+=("$(./rnnport predict --model savedmodels/mnist-rnn/1 --input "$work/test.npy" --output "$work/out.npy" \
      --output-keys classes --batch-size 1000 --workers "$w" | sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p')")
    pw+=("$(( 10000 * 1000000000 / ($(date +%s%N) - t) ))")
  }
  for i in $(seq "$runs"); do
    if [ $((i % 2)) = 1 ]; then run_eval; run_predict; else run_predict; run_eval; fi
  done
  echo "workers=$w eval samples/s: ${e[*]} -> median $(printf '%s\n' "${e[@]}" | median)"
  echo "workers=$w predict samples/s: ${p[*]} -> median $(printf '%s\n' "${p[@]}" | median)"
  echo "workers=$w eval rows/s by the wall clock of the command: ${ew[*]} -> median $(printf '%s\n' "${ew[@]}" | median)"
  echo "workers=$w predict rows/s by the wall clock of the command: ${pw[*]} -> median $(printf '%s\n' "${pw[@]}" | median)"
  me=$(printf '%s\n' "${e[@]}" | median); mp=$(printf '%s\n' "${p[@]}" | median)
  python3 bench/benchjson.py row "$json" "10,000 test images, a fresh JVM per command (medians of $runs)" \
    "workers=$w" "eval samples/s=$me" "predict samples/s=$mp" "predict / eval=$(python3 -c "print(round($mp / $me, 3))")" \
    "eval rows/s, wall clock=$(printf '%s\n' "${ew[@]}" | median)" \
    "predict rows/s, wall clock=$(printf '%s\n' "${pw[@]}" | median)"
done

# the same two code paths in one JVM, alternating, after 3 warm-up rounds (bench/PredictVsEval.java): a
# 10,000-row window is 0.3 s, and a fresh JVM's JIT is still compiling its start-up then
for w in 2 1; do
  java -Xmx4g -cp "rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*" bench/PredictVsEval.java \
    savedmodels/mnist-rnn/1 data "$work/test.npy" "$work" "$((runs * 3))" "$w" 3 2>/dev/null | grep -A2 "workers=" \
    | tee "$work/onejvm-$w"
  line=$(sed -n 1p "$work/onejvm-$w")
  python3 bench/benchjson.py row "$json" "10,000 test images, both code paths in one JVM ($((runs * 3)) rounds after 3 warm-up)" \
    "workers=$w" "eval samples/s=$(echo "$line" | sed 's/.*eval samples\/s median \([0-9]*\).*/\1/')" \
    "predict samples/s=$(echo "$line" | sed 's/.*, predict \([0-9]*\) .*/\1/')" \
    "predict / eval=$(echo "$line" | sed 's/.*predict\/eval \([0-9.]*\).*/\1/')"
done

# steady state: 100,000 rows (the test set 10 times), 1 vs 2 concurrent inference calls, alternated
for w in 1 2; do : > "$work/mid-$w"; done
for i in $(seq "$runs"); do
  for w in 1 2; do
    ./rnnport predict --model savedmodels/mnist-rnn/1 --input "$work/mid.npy" --output "$work/out.npy" \
      --output-keys classes --batch-size 1000 --workers "$w" | sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p' >> "$work/mid-$w"
  done
done
for w in 1 2; do
  echo "workers=$w predict 100k rows samples/s: $(tr '\n' ' ' < "$work/mid-$w")-> median $(median < "$work/mid-$w")"
  python3 bench/benchjson.py row "$json" "100,000 rows (the test set 10 times), npy in and out (medians of $runs)" \
    "workers=$w" "predict samples/s=$(median < "$work/mid-$w")"
done

# peak RSS of predict -Xmx256m on the big file: VmHWM of the java process, read at its end
RNNPORT_JAVA_OPTS="-Xmx256m" ./rnnport predict --model savedmodels/mnist-rnn/1 --input "$work/big.npy" \
  --output "$work/big-out.npy" --output-keys classes --batch-size 1000 > "$work/big.log" 2>&1 &
launcher=$!
hwm=0
while kill -0 "$launcher" 2>/dev/null; do
  for pid in $(pgrep -P "$launcher" java 2>/dev/null; pgrep -f "rnnport.jar predict.*$work/big.npy" 2>/dev/null); do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    [ "${v:-0}" -gt "$hwm" ] && hwm=$v
  done
  sleep 0.2
done
wait "$launcher"
grep -E 'rows in' "$work/big.log"
echo "predict -Xmx256m on $(stat -c %s "$work/big.npy") bytes: peak RSS (VmHWM) $((hwm / 1024)) MiB"
python3 bench/benchjson.py row "$json" "memory: predict -Xmx256m on one large npy" "rows=$((repeats * 10000))" \
  "bytes=$(stat -c %s "$work/big.npy")" "peak RSS MiB=$((hwm / 1024))" \
  "samples/s=$(sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p' "$work/big.log")"
