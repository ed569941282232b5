#!/usr/bin/env bash
# A/B of two sets of `rnnport serve` flags on the gRPC figures (not a test): each round runs
# `ONLY=grpc bench/serve-bench.sh SECONDS` (a fresh server each time: gRPC at one call in flight, then 64 calls
# unbatched and batched) with arm A's flags, then with arm B's; GrpcLoad is the client (GHZ=/nonexistent).
# Usage: bench/serve-ab.sh ROUNDS SECONDS 'FLAGS A' 'FLAGS B'
#   e.g. bench/serve-ab.sh 3 12 '' '--tensorflow_intra_op_parallelism=2 --tensorflow_inter_op_parallelism=-1'
# Needs what bench/serve-bench.sh needs.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=$1 secs=$2 a=$3 b=$4
for r in $(seq "$rounds"); do
  for arm in A B; do
    flags=$a; [ "$arm" = B ] && flags=$b
    echo "round $r arm $arm [${flags}] $(date -u +%H:%M:%S) load $(cut -d' ' -f1 /proc/loadavg)"
    GHZ=/nonexistent WARMUP=${WARMUP:-10} SERVE_FLAGS="$flags" ONLY=grpc bench/serve-bench.sh "$secs" 2>&1 \
      | grep RESULT | head -3
  done
done
