# Sourced by the two-build A/B scripts (bench/predict-ab.sh, bench/predict-big-ab.sh), from the repository
# root: checks that OLD_DIR and NEW_DIR each hold a copy of rnnport.jar (and its lib/) and that MNIST is in
# ./data, makes the scratch folder $work (deleted on exit) and quiets the progress bars and TF's logging.
# Usage: source bench/ab-builds.sh OLD_DIR NEW_DIR NAME
old=$1 new=$2
for d in "$old" "$new"; do
  [ -f "$d/rnnport.jar" ] || { echo "$d/rnnport.jar not found" >&2; exit 1; }
done
[ -f data/mnist/t10k-images-idx3-ubyte.gz ] || { echo "fetch MNIST first: ./rnnport data fetch mnist" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/rnnport-$3.XXXXXX")
trap 'rm -rf "$work"' EXIT
export RNNPORT_NO_PROGRESS=1 TF_CPP_MIN_LOG_LEVEL=2
