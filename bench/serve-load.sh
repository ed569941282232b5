#!/usr/bin/env bash
# Load benchmark of `rnnport serve` with wrk: predict on mnist-rnn, 1 instance per request, at 1, 16
# and 64 connections; p50/p99 latency, requests/s, errors, and the server's resident memory before
# and after. Usage: bench/serve-load.sh [seconds-per-run] [port]   (default 30 s, port 8571)
# BATCH_WINDOW_US=N turns on the server's micro-batching (rnnport serve --batch-window-us N).
# Needs: the built jar (mvn -B package -DskipTests), wrk (apt-get install wrk), MNIST in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
port=${2:-8571}
command -v wrk >/dev/null || { echo "wrk is not installed: apt-get install -y wrk" >&2; exit 1; }
[ -f target/rnnport.jar ] || { echo "build first: mvn -B package -DskipTests" >&2; exit 1; }
out=target/bench-serve
mkdir -p "$out"

# one MNIST test image as the request body (row format)
python3 - > "$out/body.json" <<'PY'
import gzip, json
d = gzip.open("data/mnist/t10k-images-idx3-ubyte.gz").read()[16:16 + 784]
print(json.dumps({"instances": [[[d[r * 28 + c] / 255.0 for c in range(28)] for r in range(28)]]}))
PY
cat > "$out/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local f = io.open("$out/body.json", "r"); wrk.body = f:read("*a"); f:close()
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.3f p99_ms=%.3f rps=%.1f requests=%d non2xx=%d errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout))
end
LUA

mkdir -p "$out/models/mnist-rnn"
cp -r savedmodels/mnist-rnn/1 "$out/models/mnist-rnn/"
TF_CPP_MIN_LOG_LEVEL=2 java ${RNNPORT_JAVA_OPTS:--Xmx256m} -jar target/rnnport.jar serve --models "$out/models" --rest_api_port "$port" --port 0 \
  --max-inflight 256 --batch-window-us "${BATCH_WINDOW_US:-0}" > "$out/server.log" 2>&1 &
server=$!
trap 'kill -TERM $server 2>/dev/null; wait $server 2>/dev/null || true' EXIT
for i in $(seq 1 60); do curl -sf "localhost:$port/healthz" >/dev/null && break; sleep 0.5; done
url="http://127.0.0.1:$port/v1/models/mnist-rnn:predict"
wrk -t2 -c16 -d15s -s "$out/post.lua" "$url" > /dev/null   # warm-up (JIT, heap, TF allocator)
rss() { awk '/VmRSS/ {print $2}' /proc/$server/status; }
rss_before=$(rss)
echo "server pid $server, resident memory after warm-up: $((rss_before / 1024)) MiB"
total=0
for c in ${CONNECTIONS:-1 16 64}; do
  t=$(( c < 2 ? 1 : 2 ))
  line=$(wrk -t$t -c$c -d${secs}s --latency -s "$out/post.lua" "$url" | grep RESULT)
  echo "connections=$c $line"
  total=$(( total + $(echo "$line" | sed 's/.*requests=\([0-9]*\).*/\1/') ))
done
rss_after=$(rss)
echo "requests in total: $total; resident memory: $((rss_before / 1024)) MiB before, $((rss_after / 1024)) MiB after" \
  "($(python3 -c "print(f'{100.0 * ($rss_after - $rss_before) / $rss_before:+.1f}')")%)"
curl -s "localhost:$port/metrics" | grep -E 'rnnport_requests_total|rnnport_rejected' || true
