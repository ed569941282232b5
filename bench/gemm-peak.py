"""The roofline of this machine for the fast-graph figures: the float32 GEMM throughput (GFLOP/s) TensorFlow reaches
here on one large product (2048^3, both cores), the ceiling any graph of these notebooks runs under. A benchmark,
not a test. Run in the parity venv: ~/.cache/rnnport/venv-*/bin/python bench/gemm-peak.py [--threads N]
Small products are timed as the recurrences of the notebooks' evaluation, in one tf.function call each (one call per
product from Python would cost more than the product): 27 dependent steps h = tanh((h W)[:, :128]) at batch 1,000,
W of [128, 128] (000's BasicRNNCell) or [128, 512] (001's BasicLSTMCell gates); the first of a notebook's 28 steps
multiplies a zero state and is left out. Their rate bounds the examples/s of any graph computing that recurrence."""
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


def recurrence(gates, batch=1000, units=128, steps=27, seconds=2.0):
    h0 = tf.random.normal([batch, units])
    w = tf.random.normal([units, gates]) * 0.05

    @tf.function
    def run():
        h = h0
        for _ in range(steps):
            h = tf.tanh(tf.matmul(h, w)[:, :units])
        return h

    run().numpy()
    reps, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        run().numpy()
        reps += 1
    dt = (time.perf_counter() - t0) / reps
    flop = 2.0 * units * gates * steps  # per example
    return {"gflops": round(flop * batch / dt / 1e9, 1), "max_examples_per_s": round(batch / dt)}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args()
    if args.threads:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    shapes = {"large 2048x2048x2048": (2048, 2048, 2048)}
    out = {name: round(rate(*s), 1) for name, s in shapes.items()}
    out["recurrence 000 (27 x [1000,128]x[128,128])"] = recurrence(128)
    out["recurrence 001 (27 x [1000,128]x[128,512])"] = recurrence(512)
    out["cores"] = os.cpu_count()
    out["loadavg"] = open("/proc/loadavg").read().split()[:3]
    out["tensorflow"] = tf.__version__
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
