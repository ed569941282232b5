#!/usr/bin/env bash
# A/B of two builds on `rnnport eval` and `rnnport predict` (not a test): the 10,000 MNIST test images
# on mnist-rnn, batch 1000, 1 and 2 workers, each command by its own clock (samples/s) and by the wall
# clock of the whole command (rows/s), ROUNDS rounds alternating the builds; medians at the end.
# A build is a folder holding a copy of rnnport-cli/target/rnnport.jar and its lib/ (run from copies:
# rebuilding under a running JVM breaks its lazy class loading).
# Usage: bench/predict-ab.sh OLD_DIR NEW_DIR [rounds]   (default 8)
# Needs: python3 (stdlib only), MNIST in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${3:-8}
source bench/ab-builds.sh "$1" "$2" predict-ab
# the test images as float32 [10000, 784] npy, as in bench/predict.sh
python3 bench/mnist-npy.py "$work" test=1
log="$work/runs"
for i in $(seq "$rounds"); do
  for w in 1 2; do
    for arm in old new; do
      dir=$old; [ "$arm" = new ] && dir=$new
      for cmd in eval predict; do
        t=$(date +%s%N)
        if [ "$cmd" = eval ]; then
          v=$(java -Xmx4g -jar "$dir/rnnport.jar" eval --model savedmodels/mnist-rnn/1 --batch-size 1000 --workers "$w" \
            2>/dev/null | sed -n 's/.* (\([0-9]*\) samples\/s end to end.*/\1/p')
        else
          v=$(java -Xmx4g -jar "$dir/rnnport.jar" predict --model savedmodels/mnist-rnn/1 --input "$work/test.npy" \
            --output "$work/out.npy" --output-keys classes --batch-size 1000 --workers "$w" 2>/dev/null \
            | sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p')
        fi
        echo "$i workers=$w $arm $cmd $v $(( 10000 * 1000000000 / ($(date +%s%N) - t) ))" | tee -a "$log"
      done
    done
  done
done
python3 - "$log" <<'PY'
import statistics as st, sys
d = {}
for line in open(sys.argv[1]):
    _, w, arm, cmd, own, wall = line.split()
    d.setdefault((w, arm, cmd), []).append((int(own), int(wall)))
for w in ("workers=1", "workers=2"):
    for arm in ("old", "new"):
        e, p = d[(w, arm, "eval")], d[(w, arm, "predict")]
        eo, po = st.median(x for x, _ in e), st.median(x for x, _ in p)
        ew, pw = st.median(y for _, y in e), st.median(y for _, y in p)
        print(f"{w} {arm}: own clock eval {eo:,.0f} predict {po:,.0f} samples/s (predict/eval {po / eo:.2f}); "
              f"wall clock eval {ew:,.0f} predict {pw:,.0f} rows/s ({pw / ew:.2f})")
PY
