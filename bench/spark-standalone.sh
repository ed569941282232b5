#!/usr/bin/env bash
# rnnport-spark on a real Spark standalone cluster on this machine, loopback only (issue #11): a Master and one
# Worker, each its own JVM from spark/target/spark-lib/ (Spark's own classes; the Worker starts executors, and in
# cluster deploy mode the driver, as further JVMs), then Spark's own SparkSubmit with the shaded
# spark/target/rnnport-spark.jar on MNIST's 10,000 test images in Parquet and savedmodels/mnist-rnn/1:
#   1. --deploy-mode client, the model on a shared path (the repository's folder: every JVM here sees it)
#   2. --deploy-mode client, the model zipped and shipped with --files, read as sparkfiles:mnist-rnn.zip
#   3. --deploy-mode client, the same zip shipped with --archives ...#mnist-rnn-archive (unpacked by Spark)
#   4. --deploy-mode cluster (the Worker runs the driver), the model on the shared path
# and checks each output (row count, accuracy > 0.95 against the labels, same classes in every run). Not for CI.
# Build first: mvn -B package -DskipTests -pl :rnnport-spark -am
#   bench/spark-standalone.sh
# Env: SPARK_SA_PORT (master, default 47077), SPARK_SA_UI_PORT (47080), SPARK_SA_WORKER_PORT (47078),
#   SPARK_SA_WORKER_UI_PORT (47081), SPARK_SA_DIR (work folder, default /tmp/rnnport-standalone, wiped first),
#   SPARK_SA_TARGET (the build's folder, default spark/target), SPARK_SA_STEP_TIMEOUT (seconds per submit, default 600), SPARK_SA_MODES (default "client-shared client-files
#   client-archives cluster-shared"), RNNPORT_DATA_MIRROR (MNIST from $RNNPORT_DATA_MIRROR/mnist if data/mnist
#   is missing).
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
port=${SPARK_SA_PORT:-47077}
ui_port=${SPARK_SA_UI_PORT:-47080}
worker_port=${SPARK_SA_WORKER_PORT:-47078}
worker_ui_port=${SPARK_SA_WORKER_UI_PORT:-47081}
work=${SPARK_SA_DIR:-/tmp/rnnport-standalone}
step_timeout=${SPARK_SA_STEP_TIMEOUT:-600}
modes=${SPARK_SA_MODES:-client-shared client-files client-archives cluster-shared}
target=${SPARK_SA_TARGET:-$here/spark/target}
jar="$target/rnnport-spark.jar"
model="$here/savedmodels/mnist-rnn/1"
mnist=data/mnist
[ -f "$mnist/t10k-images-idx3-ubyte.gz" ] || mnist="${RNNPORT_DATA_MIRROR:-../shared/data}/mnist"
if [ ! -f "$jar" ] || [ ! -d "$target/spark-lib" ]; then
  echo "spark-standalone: $jar or $target/spark-lib/ missing; mvn -B package -DskipTests -pl :rnnport-spark -am" >&2
  exit 2
fi
for p in "$port" "$ui_port" "$worker_port" "$worker_ui_port"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "spark-standalone: port $p on 127.0.0.1 is taken; set SPARK_SA_*PORT" >&2
    exit 2
  fi
done

# Everything binds to loopback: SPARK_LOCAL_IP is what Spark's web UIs and RPC default to, and the Worker passes
# its environment on to the executors and drivers it starts.
export SPARK_LOCAL_IP=127.0.0.1 SPARK_LOCAL_HOSTNAME=localhost
export TF_CPP_MIN_LOG_LEVEL="${TF_CPP_MIN_LOG_LEVEL:-1}"
opens="-XX:+IgnoreUnrecognizedVMOptions --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.lang.invoke=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED --add-opens=java.base/jdk.internal.ref=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/sun.nio.cs=ALL-UNNAMED --add-opens=java.base/sun.security.action=ALL-UNNAMED --add-opens=java.base/sun.util.calendar=ALL-UNNAMED -Djdk.reflect.useDirectMethodHandle=false -Dio.netty.tryReflectionSetAccessible=true"

rm -rf "$work"
mkdir -p "$work/logs" "$work/worker" "$work/out"
# A SPARK_HOME the Worker can launch executors from: Spark's launcher takes SPARK_HOME/jars/* as the classpath
# when SPARK_HOME/RELEASE exists (a distribution's layout), and it needs SPARK_SCALA_VERSION (else it looks for
# a source tree's build folders: "Cannot find any build directories").
export SPARK_HOME="$work/spark-home" SPARK_SCALA_VERSION=2.13
mkdir -p "$SPARK_HOME/jars" "$SPARK_HOME/conf"
ln -s "$target"/spark-lib/*.jar "$SPARK_HOME/jars/"
echo "Spark $(ls "$SPARK_HOME/jars" | sed -n 's/^spark-core_2.13-\(.*\)\.jar$/\1/p') (spark/target/spark-lib, not a download)" > "$SPARK_HOME/RELEASE"
cp spark/conf/log4j2.properties "$SPARK_HOME/conf/log4j2.properties"
sa_cp="$SPARK_HOME/conf:$SPARK_HOME/jars/*"
log4j="-Dlog4j2.configurationFile=$SPARK_HOME/conf/log4j2.properties"

pids=()
cleanup() {
  local rc=$?
  for pid in "${pids[@]}"; do # each a process group of its own (setsid): the JVM and what it started
    kill -TERM -- "-$pid" 2>/dev/null
  done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 30); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null
  done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start() { # start NAME CLASS ARGS...: a JVM in its own session, logging to $work/logs/NAME.log
  local name=$1
  shift
  # shellcheck disable=SC2086
  setsid java -Xmx512m $opens "$log4j" -cp "$sa_cp" "$@" >"$work/logs/$name.log" 2>&1 &
  pids+=($!)
}

echo "machine: $(nproc) cores; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
t_start=$(date +%s)
echo "== input: MNIST t10k (10,000 rows) as Parquet"
input="$work/mnist.parquet"
# shellcheck disable=SC2086
timeout -k 10 300 java -Xmx2g $opens "$log4j" -Dspark.ui.enabled=false -cp "$jar:$target/spark-lib/*" \
  org.rnnport.spark.PredictMain bench-data --mnist "$mnist" --repeat 1 --files 4 --output "$input" || exit 1
(cd "$(dirname "$model")" && rm -f "$work/mnist-rnn.zip" && python3 -m zipfile -c "$work/mnist-rnn.zip" "$(basename "$model")") || exit 1

echo "== master spark://127.0.0.1:$port and one worker (2 cores, 3g), loopback only"
# waits up to 2 min for the master's JSON status to match a pattern; else names what failed and shows the logs
await() {
  pattern=$1 what=$2
  shift 2
  for _ in $(seq 1 240); do
    curl -s "http://127.0.0.1:$ui_port/json/" 2>/dev/null | grep -q "$pattern" && return 0
    sleep 0.5
  done
  echo "spark-standalone: $what" >&2
  tail -20 "$@" >&2
  exit 1
}
start master org.apache.spark.deploy.master.Master --host 127.0.0.1 --port "$port" --webui-port "$ui_port"
await '"status" *: *"ALIVE"' "the master did not come up" "$work/logs/master.log"
start worker org.apache.spark.deploy.worker.Worker "spark://127.0.0.1:$port" --cores 2 --memory 3g \
  --host 127.0.0.1 --port "$worker_port" --webui-port "$worker_ui_port" --work-dir "$work/worker"
await '"aliveworkers" *: *1' "the worker did not register" "$work/logs/master.log" "$work/logs/worker.log"
echo "   worker registered ($(( $(date +%s) - t_start )) s since start)"

submit() { # submit NAME DEPLOY_MODE [spark-submit options...] -- [predict options...]
  local name=$1 mode=$2
  shift 2
  local sopts=()
  while [ "$1" != "--" ]; do sopts+=("$1"); shift; done
  shift
  echo "== $name: --deploy-mode $mode ${sopts[*]} ... predict $*"
  local t0
  t0=$(date +%s)
  # shellcheck disable=SC2086
  timeout -k 20 "$step_timeout" java -Xmx1g $opens "$log4j" -cp "$sa_cp" org.apache.spark.deploy.SparkSubmit \
    --master "spark://127.0.0.1:$port" --deploy-mode "$mode" --name "rnnport-$name" \
    --executor-memory 1g --driver-memory 1g \
    --conf "spark.executor.extraJavaOptions=$opens" --conf "spark.driver.extraJavaOptions=$opens $log4j" \
    --conf spark.driver.host=127.0.0.1 --conf spark.driver.bindAddress=127.0.0.1 --conf spark.ui.enabled=false \
    --conf spark.standalone.submit.waitAppCompletion=true \
    "${sopts[@]}" --class org.rnnport.spark.PredictMain "$jar" \
    predict --input "$input" --output "$work/out/$name.parquet" --input-column pixels --keep id,label \
    --outputs classes "$@" >"$work/logs/submit-$name.log" 2>&1
  local rc=$?
  echo "   exit $rc in $(( $(date +%s) - t0 )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
  grep -h "rnnport-spark:" "$work/logs/submit-$name.log" | sed 's/^/   driver: /'
  return $rc
}

declare -A result
outs=()
for m in $modes; do
  case $m in
    client-shared) submit "$m" client -- --model "$model" ;;
    client-files) submit "$m" client --files "$work/mnist-rnn.zip" -- --model sparkfiles:mnist-rnn.zip ;;
    client-archives) submit "$m" client --archives "$work/mnist-rnn.zip#mnist-rnn-archive" -- \
      --model sparkfiles:mnist-rnn-archive ;;
    cluster-shared) submit "$m" cluster -- --model "$model" ;;
    *) echo "spark-standalone: unknown mode $m" >&2; false ;;
  esac
  rc=$?
  if [ $rc -eq 0 ] && [ -f "$work/out/$m.parquet/_SUCCESS" ]; then
    result[$m]=ran
    outs+=("$work/out/$m.parquet")
  else
    result[$m]="FAILED (exit $rc; $work/logs/submit-$m.log)"
    tail -15 "$work/logs/submit-$m.log" | sed 's/^/   | /'
  fi
done

echo "== where the models were loaded (executor stderr and, in cluster mode, driver logs under $work/worker)"
grep -rh "rnnport-spark: loaded" "$work/worker" 2>/dev/null | sed 's/^/   /' | sort | uniq -c
for d in "$work"/worker/driver-*; do
  [ -d "$d" ] && grep -h "rnnport-spark:" "$d/stdout" 2>/dev/null | sed "s|^|   $(basename "$d") stdout: |"
done

check_rc=1
if [ ${#outs[@]} -gt 0 ]; then
  echo "== check (local[1] reader: row count, accuracy vs labels, classes equal across runs)"
  # shellcheck disable=SC2086
  timeout -k 10 300 java -Xmx1g $opens "$log4j" -cp "$target/spark-lib/*" bench/StandaloneCheck.java 10000 "${outs[@]}" \
    2>"$work/logs/check.log" | sed 's/^/   /'
  check_rc=${PIPESTATUS[0]}
fi

echo "== verdict (load average at end: $(cut -d' ' -f1-3 /proc/loadavg); $(( $(date +%s) - t_start )) s in all)"
failed=0
for m in $modes; do
  echo "   $m: ${result[$m]}"
  [ "${result[$m]}" = ran ] || failed=1
done
if [ $failed -eq 0 ] && [ $check_rc -eq 0 ]; then
  echo "spark-standalone: PASS: every run wrote 10,000 rows, accuracy > 0.95, same classes in every run"
  exit 0
fi
echo "spark-standalone: FAIL (check exit $check_rc); logs in $work/logs and $work/worker"
exit 1
