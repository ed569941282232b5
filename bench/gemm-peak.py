"""The roofline of this machine for the fast-graph figures: the float32 GEMM throughput (GFLOP/s) TensorFlow reaches
here on one large product (2048^3, both cores), the ceiling any graph of these notebooks runs under. A benchmark,
not a test. Run in the parity venv: ~/.cache/rnnport/venv-*/bin/python bench/gemm-peak.py [--threads N]
(Small products are not timed here: one call per product from Python costs more than the product itself.)"""
import argparse
import json
import os
import time

import tensorflow as tf


def rate(m, k, n, seconds=2.0):
    a = tf.random.normal([m, k])
    b = tf.random.normal([k, n])
    f = tf.function(lambda: tf.matmul(a, b))
    f().numpy()
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        f().numpy()
        reps += 1
    dt = (time.perf_counter() - t0) / reps
    return 2.0 * m * k * n / dt / 1e9


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    shapes = {"large 2048x2048x2048": (2048, 2048, 2048)}
    out = {name: round(rate(*s), 1) for name, s in shapes.items()}
    out["cores"] = os.cpu_count()
    out["loadavg"] = open("/proc/loadavg").read().split()[:3]
    out["tensorflow"] = tf.__version__
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
