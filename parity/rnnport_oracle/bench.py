"""Times a notebook's own Python graph on this machine, like `rnnport bench` does for Java: median
training ms/step at the notebook's batch (128 for 000/001, 50 for 002, 100 for 003b) after warm-up, and
passes over the test split (10,000 MNIST images or 2,246 Reuters sequences) at batch 1,000.

The MNIST notebooks (mnist-rnn, mnist-lstm, mnist-lstm-state, mnist-lstm-state-fixed) run the oracle's
tf.compat.v1 graph in a Session (a step: sess.run([opt, cost]) on a next_batch batch, as harness.run_mnist
trains; eval: sess.run(classes)). reuters-lstm is the oracle's Keras model in eager mode as the notebook
ran it (a step: model.train_on_batch on a batch of 100 in file order, as reuters_lstm.py trains; eval:
model.predict_on_batch, then argmax). Timed: the session call / train_on_batch alone, not batch slicing.

python -m rnnport_oracle.bench [--model mnist-rnn] --data-dir ../data [--steps 300] [--warmup 50]
    [--eval-rounds 5] [--eval-batch-size 1000] [--threads 0] [--json FILE] [--progress]"""
import argparse
import json
import platform
import resource
import sys
import time

import numpy

MNIST_MODELS = ["mnist-rnn", "mnist-lstm", "mnist-lstm-state", "mnist-lstm-state-fixed"]
MODELS = MNIST_MODELS + ["reuters-lstm"]


def progress(args, done, total):
    """A line `rnnport bench --compare` turns into its progress bar."""
    if args.progress:
        print("@progress %d %d" % (done, total), flush=True)


def build_mnist(model):
    from rnnport_oracle import mnist_lstm, mnist_lstm_state, mnist_rnn
    if model == "mnist-rnn":
        return mnist_rnn.build(1)
    if model == "mnist-lstm":
        return mnist_lstm.build(1)
    return mnist_lstm_state.build(1, "faithful" if model == "mnist-lstm-state" else "fixed")


def bench_mnist(args):
    import tensorflow.compat.v1 as tf
    from rnnport_oracle import mnist_data
    m = build_mnist(args.model)
    X, Y, cost, opt, classes = m["X"], m["Y"], m["cost"], m["opt"], m["classes"]
    batch, shape = m["batch_size"], [-1] + m["feed_shape"]
    numpy.random.seed(1)
    mnist = mnist_data.read_data_sets(args.data_dir)
    test_xs = mnist.test.images.reshape(shape)
    total = args.warmup + args.steps + args.eval_rounds + 1
    config = tf.ConfigProto(intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=args.threads)
    times = []
    with tf.Session(config=config) as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(args.warmup + args.steps):
            xs, ys = mnist.train.next_batch(batch)
            xs = xs.reshape(shape)
            t = time.perf_counter()
            sess.run([opt, cost], feed_dict={X: xs, Y: ys})
            if i >= args.warmup:
                times.append((time.perf_counter() - t) * 1000)
            progress(args, i + 1, total)
        passes = []
        n = len(test_xs)
        for r in range(args.eval_rounds + 1):  # the first pass is a warm-up
            t = time.perf_counter()
            for s in range(0, n, args.eval_batch_size):
                sess.run(classes, feed_dict={X: test_xs[s:s + args.eval_batch_size]})
            if r > 0:
                passes.append(time.perf_counter() - t)
            progress(args, args.warmup + args.steps + r + 1, total)
    return batch, n, times, passes, tf.__version__


def bench_reuters(args):
    import tensorflow as tf
    from rnnport_oracle import reuters_lstm
    if args.threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(args.threads)
        tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    numpy.random.seed(1)
    tf.random.set_seed(1)
    x_train, y_train, x_test, y_test = reuters_lstm.load(args.data_dir)
    model = reuters_lstm.build()
    batch = 100
    full = len(x_train) // batch  # full batches of 100 in file order (the last, partial one is left out)
    total = args.warmup + args.steps + args.eval_rounds + 1
    times = []
    for i in range(args.warmup + args.steps):
        b = i % full
        xs, ys = x_train[b * batch:(b + 1) * batch], y_train[b * batch:(b + 1) * batch]
        t = time.perf_counter()
        model.train_on_batch(xs, ys)
        if i >= args.warmup:
            times.append((time.perf_counter() - t) * 1000)
        progress(args, i + 1, total)
    passes = []
    n = len(x_test)
    for r in range(args.eval_rounds + 1):  # the first pass is a warm-up
        t = time.perf_counter()
        for s in range(0, n, args.eval_batch_size):
            numpy.argmax(model.predict_on_batch(x_test[s:s + args.eval_batch_size]), axis=1)
        if r > 0:
            passes.append(time.perf_counter() - t)
        progress(args, args.warmup + args.steps + r + 1, total)
    return batch, n, times, passes, tf.__version__


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=MODELS, default="mnist-rnn")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--eval-rounds", type=int, default=5)
    p.add_argument("--eval-batch-size", type=int, default=1000)
    p.add_argument("--threads", type=int, default=0, help="intra/inter-op threads, 0 = TensorFlow's choice")
    p.add_argument("--json", help="also write the result to this file")
    p.add_argument("--progress", action="store_true", help="print '@progress DONE TOTAL' lines")
    args = p.parse_args()
    if args.steps < 1 or args.eval_rounds < 1:
        p.error("--steps and --eval-rounds must be at least 1")
    run = bench_mnist if args.model in MNIST_MODELS else bench_reuters
    batch, n, times, passes, tf_version = run(args)
    median_pass = float(numpy.median(passes))
    res = {"model": args.model, "batchSize": batch,
           "trainMedianMsPerStep": float(numpy.median(times)), "trainP90MsPerStep": float(numpy.percentile(times, 90)),
           "evalBatchSize": args.eval_batch_size, "evalExamples": n, "evalMedianSecondsPerPass": median_pass,
           "evalSamplesPerSecond": n / median_pass,
           # ru_maxrss is KiB on Linux: the peak resident memory of this Python process
           "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
           "tensorflow": tf_version, "numpy": numpy.__version__, "python": platform.python_version()}
    if n == 10000:
        res["evalMedianSecondsFor10k"] = median_pass  # the key of earlier versions
    if args.json:
        with open(args.json, "w") as f:
            json.dump(res, f, indent=2)
    print(json.dumps(res))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
