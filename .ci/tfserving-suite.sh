#!/usr/bin/env bash
# TensorFlow Serving's own integration tests (../shared/tfserving-suite, tensorflow/serving @9d981c5, unmodified)
# against ./rnnport serve. Fails when any applicable test fails.
#
# Not served, so not run: the TFLite tests (testPredictOnTfLite, testPredictWithSignatureDefOnTfLite), the profiler
# service (test_profiler_service_with_valid_trace_request) and test_tf_text (tensorflow-text and a model file absent
# from the snapshot). See docs/serving-flags.md.
#
# The one setting taken from the suite's Bazel world: test_distrat_sequential_keras_saved_model_save calls
# tf.config.experimental.set_virtual_device_configuration, which TensorFlow allows only before its devices are
# initialized, so it runs in a Python process of its own (as Bazel's sharded py_test can give it). It passes alone, and
# in the suite's own alphabetical order; after any test that initializes TensorFlow's devices in the test process
# (e.g. test_tf_saved_model_save, then it) it fails with "Virtual devices cannot be modified after being initialized",
# whatever the server (measured 2026-12-04).
#
# Every applicable test runs (TF Serving's own, and those inherited from tf.test.TestCase); fewer than 27 found is a
# failure too.
# Usage: .ci/tfserving-suite.sh [PYTHON]   (default: $RNNPORT_PYTHON, else the parity venv's python, as PythonEnv finds it). Logs: $OUT_DIR (default: a temp dir).
set -uo pipefail
cd "$(dirname "$0")/.."
proj=$(pwd)
suite=${RNNPORT_TFSERVING_SUITE:-$proj/../shared/tfserving-suite}
py=${1:-${RNNPORT_PYTHON:-}}
if [ -z "$py" ]; then
  # the parity venv the tests made: PythonEnv's path, venv-<first 12 hex of sha256(parity/requirements.txt)>
  cache=${RNNPORT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/rnnport}
  py=$cache/venv-$(sha256sum parity/requirements.txt | cut -c1-12)/bin/python
fi
if [ -z "$py" ] || [ ! -x "$py" ]; then
  echo "tfserving-suite: no Python given and no parity venv under ~/.cache/rnnport (create it with the tests, or pass one)" >&2
  exit 2
fi
if [ ! -x "$suite/run.sh" ]; then
  echo "tfserving-suite: $suite/run.sh not found (set RNNPORT_TFSERVING_SUITE)" >&2
  exit 2
fi
not_served='testPredictOnTfLite|testPredictWithSignatureDefOnTfLite|test_profiler_service_with_valid_trace_request|test_tf_text'
alone='test_distrat_sequential_keras_saved_model_save'
out_dir=${OUT_DIR:-$(mktemp -d /tmp/rnnport-tfs-XXXXXX)}
mkdir -p "$out_dir"
t0=$(date +%s)
# the tests: TF Serving's test methods, and those inherited from tf.test.TestCase (test_session), but the not-served
# ones (each would wait 60 s for a server that refuses its flags) and the one that runs alone
file=$suite/tensorflow_serving/model_servers/tensorflow_model_server_test.py
mapfile -t tests < <( { grep -oE '^  def test[A-Za-z0-9_]*' "$file" | awk '{print $2}';
  TF_CPP_MIN_LOG_LEVEL=3 "$py" -c 'import tensorflow as tf; print("\n".join(n for n in dir(tf.test.TestCase) if n.startswith("test")))'; } \
  | sort -u | grep -vxE "$not_served|$alone")
echo "tfserving-suite: ${#tests[@]} tests in one process, then $alone alone (logs in $out_dir)"
OUT=$out_dir/suite.log "$suite/run.sh" "$proj" "$py" "${tests[@]/#/TensorflowModelServerTest.}" >/dev/null
OUT=$out_dir/alone.log "$suite/run.sh" "$proj" "$py" "TensorflowModelServerTest.$alone" >/dev/null
result() { grep -hoE "^\[ +$1 +\] TensorflowModelServerTest\.[A-Za-z0-9_]+" "$2" | awk '{print $NF}' | sed 's/.*\.//' | sort -u; }
ran=$(printf '%s\n' "${tests[@]}")  # a test that never reports (a crash) counts as failed
passed=$( { result OK "$out_dir/suite.log" | grep -vxE "$not_served|$alone"; result OK "$out_dir/alone.log" | grep -xE "$alone"; } )
failed=$( { printf '%s\n' "$ran" | grep -vxF -f <(printf '%s\n' "$passed"); result OK "$out_dir/alone.log" | grep -qxE "$alone" || echo "$alone"; } | grep . )
n_ran=$(( $(printf '%s\n' "$ran" | grep -c .) + 1 ))
n_passed=$(printf '%s\n' "$passed" | grep -c .)
echo "tfserving-suite: $n_passed of $n_ran applicable tests passed in $(( $(date +%s) - t0 )) s (not served, not counted: ${not_served//|/, })"
if [ -n "$failed" ] || [ "$n_ran" -lt 27 ]; then
  printf 'failed: %s\n' $failed >&2
  echo "tfserving-suite: FAILED (logs: $out_dir)" >&2
  exit 1
fi
