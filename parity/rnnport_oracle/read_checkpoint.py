"""Restores an rnnport training checkpoint the TensorFlow way and writes what it holds.

tf.train.latest_checkpoint(DIR) finds the newest (from the `checkpoint` state file), then a
tf.compat.v1.train.Saver restores every variable by its name into a fresh graph; the values, the
global step and the names are written as JSON for the Java test to compare.
"""
import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy  # noqa: E402
import tensorflow as tf  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--dir", required=True, help="RUN_DIR/checkpoints")
    p.add_argument("--out", required=True, help="JSON file")
    args = p.parse_args()
    latest = tf.train.latest_checkpoint(args.dir)
    if latest is None:
        raise SystemExit("tf.train.latest_checkpoint found no checkpoint in " + args.dir)
    reader = tf.train.load_checkpoint(latest)
    dtypes = reader.get_variable_to_dtype_map()
    g = tf.Graph()
    with g.as_default():
        variables = {}
        for name, shape in tf.train.list_variables(latest):
            variables[name] = tf.compat.v1.Variable(tf.zeros(shape, dtype=dtypes[name]), name=name.replace("/", "_"))
        saver = tf.compat.v1.train.Saver(var_list=variables)
        with tf.compat.v1.Session(graph=g) as sess:
            saver.restore(sess, latest)
            values = sess.run(variables)
    out = {"latest": latest, "globalStep": int(values.pop("global_step")),
           "variables": {k: numpy.asarray(v, dtype=numpy.float32).ravel().tolist() for k, v in values.items()}}
    with open(args.out, "w") as f:
        json.dump(out, f)


if __name__ == "__main__":
    main()
