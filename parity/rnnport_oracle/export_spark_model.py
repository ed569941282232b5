"""Exports a small two-input SavedModel with Python's TensorFlow (TF2 tf.saved_model.save), for rnnport-spark's
test of a Python-exported model: inputs 'image' float32 [None, 28, 28] and 'shift' int64 [None]; outputs
'scores' float32 [None, 10] (a fixed random linear map of the pixels plus the shift), 'top' int64 [None] (their
argmax) and 'ink' float32 [None] (the pixel sum per image). Weights come from numpy's RandomState(seed)."""
import argparse

import numpy
import tensorflow as tf


class Linear(tf.Module):
    def __init__(self, seed):
        super().__init__()
        rng = numpy.random.RandomState(seed)
        self.w = tf.Variable(rng.normal(0.0, 0.05, size=(784, 10)).astype(numpy.float32), name="w")
        self.b = tf.Variable(rng.normal(0.0, 0.1, size=(10,)).astype(numpy.float32), name="b")

    @tf.function(input_signature=[tf.TensorSpec([None, 28, 28], tf.float32, name="image"),
                                  tf.TensorSpec([None], tf.int64, name="shift")])
    def serve(self, image, shift):
        flat = tf.reshape(image, [-1, 784])
        scores = tf.matmul(flat, self.w) + self.b + tf.cast(shift, tf.float32)[:, None]
        return {"scores": scores, "top": tf.argmax(scores, axis=1), "ink": tf.reduce_sum(flat, axis=1)}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True, help="the version folder to write (e.g. .../python-linear/1)")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    m = Linear(args.seed)
    tf.saved_model.save(m, args.out, signatures={"serving_default": m.serve})
    print("exported", args.out, "with TensorFlow", tf.__version__)


if __name__ == "__main__":
    main()
