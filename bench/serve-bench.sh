#!/usr/bin/env bash
# The serving figures (docs/performance.md), on loopback only, each run bounded in time:
#   1. latency at one connection, batch 1: REST (wrk -c1) and gRPC (bench/GrpcLoad.java, 1 call in flight)
#   2. 64 connections with TF Serving-style batching: REST (wrk -c64) and gRPC (64 calls in flight)
#   3. 1,000 stalled connections (bench/stall.py) while other clients get /healthz and predict
#   4. resident memory across ~1M requests (REST, 64 connections, batching on)
# Usage: bench/serve-bench.sh [seconds-per-run] [rest-port] [grpc-port]   (default 30 s, 8571, 8570)
#   ONLY=grpc bench/serve-bench.sh ...   runs the gRPC figures of 1 and 2 only (ONLY=rest: the REST ones of 1 and 2; ONLY=both: both, runs 1 and 2 only)
#   BATCHING_FILE=FILE bench/serve-bench.sh ...   run 2 (and 4) with these batching parameters instead of the defaults below
#   SKIP_SINGLE=1 bench/serve-bench.sh ...   skips run 1
#   WARMUP=SECONDS bench/serve-bench.sh ...   load on each protocol before the figures (default 20)
#   SERVE_FLAGS='--tensorflow_inter_op_parallelism=-1 ...' bench/serve-bench.sh ...   more flags for every server run
#   GRAPH=fast bench/serve-bench.sh ...   serves mnist-rnn's fast graph (rnnport export --graph fast) instead
#   RNNPORT_CP=CLASSPATH bench/serve-bench.sh ...   runs another build (an A/B against a copy of an older one)
#   BENCH_JSON=FILE bench/serve-bench.sh ...   where the figures go as JSON (default target/bench/serve.json;
#     bench/benchjson.py: command, date, machine, load average at start and end)
# Needs: the built jars (mvn -B package -DskipTests), wrk (apt-get install wrk), MNIST in ./data, python3.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
only=${ONLY:-}
case "$only" in ""|grpc|rest|both) ;; *) echo "ONLY must be grpc, rest or both" >&2; exit 1 ;; esac
port=${2:-8571}
warm=${WARMUP:-20}  # seconds of load on each protocol before any figure
gport=${3:-8570}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
[ -f rnnport-cli/target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
out=target/bench-serve
rm -rf "$out/models"
mkdir -p "$out/models/mnist-rnn"
cp -r savedmodels/mnist-rnn/1 "$out/models/mnist-rnn/"
cp=${RNNPORT_CP:-"rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*"}
json=${BENCH_JSON:-target/bench/serve.json}
cmdline="${ONLY:+ONLY=$ONLY }${WARMUP:+WARMUP=$WARMUP }${GRAPH:+GRAPH=$GRAPH }${SERVE_FLAGS:+SERVE_FLAGS='$SERVE_FLAGS' }"
python3 bench/benchjson.py begin "$json" serve "Serving mnist-rnn, one image per request, loopback" \
  -- "${cmdline}bench/serve-bench.sh" "$@"
python3 bench/benchjson.py note "$json" "Server: rnnport serve -Xmx256m --max-inflight 1024, warmed up ${warm} s per \
protocol at 64 connections; REST clients wrk, gRPC bench/GrpcLoad.java (a JVM on the same cores); ${secs} s per run."
section="figures"
# record LABEL RESULT-LINE: print it, and add it to the JSON as a row of the current section
record() {
  echo "$1 $2"
  # shellcheck disable=SC2086
  [ -z "$2" ] || python3 bench/benchjson.py row "$json" "$section" "run=$1" ${2#RESULT }
}

python3 - > "$out/body.json" <<'PY'
import gzip, json
d = gzip.open("data/mnist/t10k-images-idx3-ubyte.gz").read()[16:16 + 784]
print(json.dumps({"instances": [[[d[r * 28 + c] / 255.0 for c in range(28)] for r in range(28)]]}))
PY
cat > "$out/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$out/body.json", "r"); wrk.body = f:read("*a"); f:close()
LUA
cat > "$out/report.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.1f requests=%d non2xx=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
LUA
cat "$out/post.lua" "$out/report.lua" > "$out/predict.lua"
cp "$out/report.lua" "$out/get.lua"
cat > "$out/batching.config" <<'CFG'
max_batch_size { value: 64 }
batch_timeout_micros { value: 1000 }
num_batch_threads { value: 2 }
max_enqueued_batches { value: 64 }
CFG
[ -z "${BATCHING_FILE:-}" ] || cp "$BATCHING_FILE" "$out/batching.config"

if [ "${GRAPH:-faithful}" = fast ]; then  # serve the fast graph's export of the same model as version 2 (the latest)
  java -cp "$cp" org.rnnport.cli.Main export --model "$out/models/mnist-rnn/1" --graph fast --out "$out/models/mnist-rnn/2"
fi

server=""
start() {  # start [extra flags...]
  TF_CPP_MIN_LOG_LEVEL=2 java ${RNNPORT_JAVA_OPTS:--Xmx256m} -cp "$cp" org.rnnport.cli.Main serve --models "$out/models" \
    --rest_api_port "$port" --port "$gport" --max-inflight 1024 --read-timeout-ms 120000 ${SERVE_FLAGS:-} "$@" > "$out/server.log" 2>&1 &
  server=$!
  for i in $(seq 1 120); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.5; done
  # warm-up: the JIT compiles the server's request paths (C2 still took 40 % of a core 10 s into the load);
  # the figures are the steady state
  [ "$only" = grpc ] || wrk -t2 -c64 -d"$warm"s -s "$out/predict.lua" "http://127.0.0.1:$port/v1/models/mnist-rnn:predict" > /dev/null
  [ "$only" = rest ] || java -cp "$cp" bench/GrpcLoad.java "$gport" 64 "$warm" > /dev/null
}
stop() { kill -TERM "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; server=""; }
trap 'stop; python3 bench/benchjson.py end "$json"; echo "wrote $json"' EXIT
rss() { awk '/VmRSS/ {print int($2 / 1024)}' /proc/$server/status; }
url="http://127.0.0.1:$port/v1/models/mnist-rnn:predict"
rest() { wrk -t$(( $1 < 2 ? 1 : 2 )) -c"$1" -d"${2:-$secs}"s --latency -s "$out/predict.lua" "$url" | grep RESULT; }
# ghz (Go; `GOBIN=~/go/bin go install github.com/bojand/ghz/cmd/ghz@v0.120.0`), when installed: the usual gRPC
# load tool, a lighter client than a JVM on the same two cores. Its descriptors come from the generated classes
# (GrpcLoad --ghz-files), its request is GrpcLoad's, serialized; a warm-up run first, then the figures.
ghz_bin=${GHZ:-$(command -v ghz || echo "$HOME/go/bin/ghz")}
[ -x "$ghz_bin" ] && java -cp "$cp" bench/GrpcLoad.java --ghz-files "$out/ghz" mnist-rnn
ghz1() {
  "$ghz_bin" --insecure --protoset "$out/ghz/tfserving.protoset" --call tensorflow.serving.PredictionService.Predict \
    --binary-file "$out/ghz/predict.bin" -c 1 --connections 1 -z "${GRPCLOAD_WARMUP:-10}s" "127.0.0.1:$gport" > /dev/null
  "$ghz_bin" --insecure --protoset "$out/ghz/tfserving.protoset" --call tensorflow.serving.PredictionService.Predict \
    --binary-file "$out/ghz/predict.bin" -c 1 --connections 1 -z "${1}s" -O json "127.0.0.1:$gport" | python3 -c '
import json, sys
r = json.load(sys.stdin)
lat = {d["percentage"]: d["latency"] / 1e6 for d in r["latencyDistribution"]}
codes = r.get("statusCodeDistribution", {})
print("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.1f requests=%d errors=%d" % (lat[50], lat[99], r["rps"], r["count"],
      sum(v for k, v in codes.items() if k != "OK")))'
}
# each gRPC run is a new client JVM: GRPCLOAD_WARMUP seconds of its own calls compile it before its figures
grpc() { GRPCLOAD_WARMUP=${GRPCLOAD_WARMUP:-10} java -cp "$cp" bench/GrpcLoad.java "$gport" "$1" "${2:-$secs}" | grep RESULT; }

if [ -z "${SKIP_SINGLE:-}" ]; then
echo "== 1. one connection, batch 1, no batching"
section="1. no batching"
start
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$only" = grpc ] || record "REST, 1 connection" "$(rest 1)"
[ "$only" = rest ] || record "gRPC, 1 call in flight" "$(grpc 1)"
[ "$only" = rest ] || [ ! -x "$ghz_bin" ] || record "gRPC, 1 call in flight, ghz" "$(ghz1 "$secs")"
[ "$only" = grpc ] || record "REST, 64 connections" "$(rest 64)"
[ "$only" = rest ] || record "gRPC, 64 calls in flight" "$(grpc 64)"
stop
fi

echo "== 2. 64 connections, --enable_batching ($(tr '\n' ' ' < "$out/batching.config"))"
section="2. --enable_batching (max_batch_size 64, batch_timeout_micros 1000, 2 threads)"
start --enable_batching --batching_parameters_file "$out/batching.config"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ "$only" = grpc ] || record "REST, 64 connections, batching" "$(rest 64)"
[ "$only" = rest ] || record "gRPC, 64 calls in flight, batching" "$(grpc 64)"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
[ -z "$only" ] || exit 0

echo "== 3. 1,000 stalled connections (500 mid-request-line, 500 mid-body), others on loopback"
section="3. 1,000 stalled connections"
python3 bench/stall.py "$port" 1000 $((secs * 2 + 20)) > "$out/stall.log" &
stall=$!
sleep 5
echo "stalled: $(cat "$out/stall.log")"
record "/healthz, 4 connections, 1,000 stalled" "$(wrk -t1 -c4 -d"$secs"s --latency -s "$out/get.lua" "http://127.0.0.1:$port/healthz" | grep RESULT)"
record "predict, 4 connections, 1,000 stalled" "$(rest 4)"
threads=$(ls /proc/$server/task | wc -l)
kill "$stall" 2>/dev/null; wait "$stall" 2>/dev/null || true
sleep 2
echo "server threads while stalled: $threads; after: $(ls /proc/$server/task | wc -l)"
python3 bench/benchjson.py note "$json" "Server threads while 1,000 connections were stalled: $threads; after: $(ls /proc/$server/task | wc -l)."

echo "== 4. resident memory across ~1M requests (REST c=64, batching on)"
before=$(rss)
n=0
while [ "$n" -lt 1000000 ]; do
  line=$(rest 64 60)
  n=$(( n + $(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/') ))
  echo "  $line; total $n; rss $(rss) MiB"
  [ "$n" -gt 0 ] || break
done
echo "requests: $n; resident memory $before MiB before, $(rss) MiB after"
python3 bench/benchjson.py row "$json" "4. resident memory (REST, 64 connections, batching)" "requests=$n" \
  "RSS before MiB=$before" "RSS after MiB=$(rss)"
curl -s "localhost:$port/metrics" | grep -E 'rnnport_requests_total|rnnport_rejected' || true
