"""Times the notebook's own Python graph on this machine, like `rnnport bench` does for Java: median
training ms/step at batch 128 after warm-up, and the 10,000 test images at batch 1,000.

python -m rnnport_oracle.bench --data-dir ../data [--steps 300] [--warmup 50]"""
import argparse
import json
import time

import numpy
import tensorflow.compat.v1 as tf

from rnnport_oracle import mnist_data, mnist_rnn


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--eval-rounds", type=int, default=5)
    args = p.parse_args()
    m = mnist_rnn.build(1)
    X, Y, cost, opt, classes = m["X"], m["Y"], m["cost"], m["opt"], m["classes"]
    numpy.random.seed(1)
    mnist = mnist_data.read_data_sets(args.data_dir)
    test_xs = mnist.test.images.reshape(-1, 28, 28)
    times = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for i in range(args.warmup + args.steps):
            xs, ys = mnist.train.next_batch(128)
            xs = xs.reshape(128, 28, 28)
            t = time.perf_counter()
            sess.run([opt, cost], feed_dict={X: xs, Y: ys})
            if i >= args.warmup:
                times.append((time.perf_counter() - t) * 1000)
        passes = []
        for r in range(args.eval_rounds + 1):
            t = time.perf_counter()
            for s in range(0, 10000, 1000):
                sess.run(classes, feed_dict={X: test_xs[s:s + 1000]})
            if r > 0:
                passes.append(time.perf_counter() - t)
    res = {"trainMedianMsPerStep": float(numpy.median(times)), "trainP90MsPerStep": float(numpy.percentile(times, 90)),
           "evalMedianSecondsFor10k": float(numpy.median(passes)),
           "evalSamplesPerSecond": 10000 / float(numpy.median(passes)), "tensorflow": tf.__version__}
    print(json.dumps(res))


if __name__ == "__main__":
    main()
