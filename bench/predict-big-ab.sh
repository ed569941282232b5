#!/usr/bin/env bash
# A/B of two builds on large inputs (not a test): `rnnport predict` on mnist-rnn, npy in, npy out, batch
# 1000, default workers, ROUNDS rounds alternating the builds: samples/s and peak RSS (VmHWM) with -Xmx256m
# on the 2,007,040,128-byte npy (the MNIST test set 64 times, 640,000 rows), and samples/s on 100,000 rows.
# A build is a folder holding a copy of rnnport-cli/target/rnnport.jar and its lib/ (run from copies:
# rebuilding under a running JVM breaks its lazy class loading).
# Usage: bench/predict-big-ab.sh OLD_DIR NEW_DIR [rounds]   (default 4)
# Needs: python3 (stdlib only), MNIST in ./data, 2.4 GB free in $TMPDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${3:-4}
source bench/ab-builds.sh "$1" "$2" predict-big-ab
python3 bench/mnist-npy.py "$work" big=64 mid=10
log="$work/runs"
for i in $(seq "$rounds"); do
  for arm in old new; do
    dir=$old; [ "$arm" = new ] && dir=$new
    java -Xmx256m -jar "$dir/rnnport.jar" predict --model savedmodels/mnist-rnn/1 --input "$work/big.npy" \
      --output "$work/big-out.npy" --output-keys classes --batch-size 1000 > "$work/big.log" 2>&1 &
    pid=$!
    hwm=0
    while kill -0 "$pid" 2>/dev/null; do
      v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
      [ "${v:-0}" -gt "$hwm" ] && hwm=$v
      sleep 0.2
    done
    wait "$pid"
    big=$(sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p' "$work/big.log")
    mid=$(java -Xmx4g -jar "$dir/rnnport.jar" predict --model savedmodels/mnist-rnn/1 --input "$work/mid.npy" \
      --output "$work/mid-out.npy" --output-keys classes --batch-size 1000 2>/dev/null \
      | sed -n 's/.*(\([0-9]*\) samples\/s.*/\1/p')
    echo "$i $arm big $big rss_mib $((hwm / 1024)) mid $mid" | tee -a "$log"
  done
done
python3 - "$log" <<'PY'
import statistics as st, sys
d = {}
for line in open(sys.argv[1]):
    _, arm, _, big, _, rss, _, mid = line.split()
    d.setdefault(arm, []).append((int(big), int(rss), int(mid)))
for arm in ("old", "new"):
    v = d[arm]
    print(f"{arm}: 640,000 rows -Xmx256m {st.median(b for b, _, _ in v):,.0f} samples/s, peak RSS "
          f"{min(r for _, r, _ in v)}-{max(r for _, r, _ in v)} MiB; 100,000 rows {st.median(m for _, _, m in v):,.0f} samples/s")
PY
