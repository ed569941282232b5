#!/usr/bin/env bash
# Benchmark (not a test): `rnnport bench MODEL --compare` (the Python notebook graph, the faithful and the fast
# Java graph, interleaved round by round in one run) recorded as bench/benchjson.py JSON with the command, date,
# machine and load average.
# Usage: bench/compare.sh MODEL [more `rnnport bench` options, e.g. --rounds 1 --steps 100 --warmup 20]
#   BENCH_JSON=FILE (default target/bench/train-vs-python-MODEL.json)
# Needs: the built jars (mvn -B package -DskipTests), the dataset (./rnnport data fetch), Python 3 for the venv.
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: bench/compare.sh MODEL [rnnport bench options]}
shift
json=${BENCH_JSON:-target/bench/train-vs-python-$model.json}
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
raw=$(mktemp "${TMPDIR:-/tmp}/rnnport-compare.XXXXXX.json")
trap 'rm -f "$raw"' EXIT
python3 bench/benchjson.py begin "$json" "train-vs-python-$model" \
  "Training step and evaluation against the Python notebook graph: $model" \
  -- ./rnnport bench "$model" --compare "$@"
RNNPORT_NO_PROGRESS=1 ./rnnport bench "$model" --compare "$@" --json "$raw"
python3 bench/benchjson.py compare "$json" "$raw"
python3 bench/benchjson.py end "$json"
echo "wrote $json"
