#!/usr/bin/env bash
# Benchmark (not a test): one in-process session run of mnist-rnn at batch 1 under four thread settings
# (intra-op / inter-op: TensorFlow's choice, inter-op -1 (the caller's thread), and one intra-op thread with
# each), ROUNDS rounds alternating the settings, a fresh JVM per arm; the last two of each arm's 4 inner
# rounds are printed (the first two warm up) and recorded.
# Usage: bench/session-latency.sh [rounds] [iterations]   (default 2 and 5000)
#   BENCH_JSON=FILE (default target/bench/session-latency.json): the results as JSON (bench/benchjson.py)
# Needs: the built jars (mvn -B package -DskipTests), python3.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-2}
iters=${2:-5000}
json=${BENCH_JSON:-target/bench/session-latency.json}
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
python3 bench/benchjson.py begin "$json" session-latency \
  "Session run latency, mnist-rnn, batch 1, in process" -- bench/session-latency.sh "$rounds" "$iters"
log=$(mktemp "${TMPDIR:-/tmp}/rnnport-session-latency.XXXXXX")
trap 'rm -f "$log"' EXIT
for r in $(seq "$rounds"); do
  for arm in "0 0" "0 -1" "1 0" "1 -1"; do
    # shellcheck disable=SC2086
    TF_CPP_MIN_LOG_LEVEL=2 java -cp "rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*" \
      bench/SessionRunLatency.java savedmodels/mnist-rnn/1 "$iters" $arm 4 2>/dev/null | grep -E "round [23]" \
      | tee -a "$log"
  done
done
# one row per arm and call path: the medians over the recorded inner rounds of every outer round
python3 - "$json" "$log" "$rounds" "$iters" <<'PY'
import re, statistics, subprocess, sys
json_file, log, rounds, iters = sys.argv[1:]
names = {("0", "0"): "TensorFlow's choice", ("0", "-1"): "inter-op -1 (ops in the calling thread)",
         ("1", "0"): "intra-op 1", ("1", "-1"): "intra-op 1, inter-op -1"}
arms = {}
for line in open(log):
    m = re.match(r"intra=(\S+) inter=(\S+) round \d+ (\S+)\s+p10 (\S+) p50 (\S+) p90 (\S+) us", line)
    if m:
        arms.setdefault((m[1], m[2], m[3]), []).append((float(m[4]), float(m[5]), float(m[6])))
for (intra, inter, path), v in arms.items():
    subprocess.run([sys.executable, "bench/benchjson.py", "row", json_file, "one session run of one image",
                    "threads=" + names[(intra, inter)], "call=" + path,
                    "p10 us=%.1f" % statistics.median(x[0] for x in v),
                    "p50 us=%.1f" % statistics.median(x[1] for x in v),
                    "p90 us=%.1f" % statistics.median(x[2] for x in v), "rounds=%d" % len(v)], check=True)
subprocess.run([sys.executable, "bench/benchjson.py", "note", json_file,
                "%s outer round(s), a fresh JVM per arm; %s calls per inner round, the last 2 of 4 inner rounds "
                "recorded; medians of those rounds' percentiles." % (rounds, iters)], check=True)
PY
python3 bench/benchjson.py end "$json"
echo "wrote $json"
