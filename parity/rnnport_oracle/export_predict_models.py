"""Exports the small Python SavedModels that rnnport's predict/inspect tests score, with each one's
expected outputs (computed here, in Python TensorFlow) in expected.npz:

- tf1_padded/00000007 and tf1_padded/00000123: TF1 Builder models in TF Serving's zero-padded
  version folders, input 'x' of unknown rank; outputs y = x * factor + 1 (unknown rank) and
  total = the sum of each row. 00000123 (factor 2) is the one a base-folder lookup must pick.
- tf2_module/1: tf.saved_model.save of a tf.Module with two named inputs, 'features' float32
  [None, 3] and 'ids' int64 [None]; outputs scores [None, 4], best (argmax, int64), ids_plus_one.
- keras/1: tf.saved_model.save of a Keras (tf_keras, Keras 2) model, input 'pixels' [None, 28, 28],
  output 'probs' [None, 10], evaluated on the first 50 MNIST test images.
"""
import argparse
import os

import numpy
import tensorflow as tf

from rnnport_oracle import mnist_data


def tf1_padded(base):
    for version, factor in (("00000007", 7.0), ("00000123", 2.0)):
        with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
            x = tf.compat.v1.placeholder(tf.float32, shape=None, name="x")
            y = tf.identity(x * factor + 1.0, name="y")
            total = tf.reduce_sum(tf.reshape(x, [tf.shape(x)[0], -1]), axis=1, name="total")
            sig = tf.compat.v1.saved_model.predict_signature_def(inputs={"x": x}, outputs={"y": y, "total": total})
            b = tf.compat.v1.saved_model.Builder(os.path.join(base, version))
            b.add_meta_graph_and_variables(sess, ["serve"], signature_def_map={"serving_default": sig})
            b.save()


class Scorer(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(numpy.arange(12, dtype=numpy.float32).reshape(3, 4) / 10.0)

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="features"),
                                  tf.TensorSpec([None], tf.int64, name="ids")])
    def serve(self, features, ids):
        scores = tf.matmul(features, self.w) + tf.cast(ids, tf.float32)[:, None]
        return {"scores": scores, "best": tf.argmax(scores, axis=1), "ids_plus_one": ids + 1}


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--data-dir", required=True)
    args = p.parse_args()
    os.makedirs(args.out, exist_ok=True)
    tf1_padded(os.path.join(args.out, "tf1_padded"))

    m = Scorer()
    tf.saved_model.save(m, os.path.join(args.out, "tf2_module", "1"), signatures={"serving_default": m.serve})
    rng = numpy.random.RandomState(5)
    features = rng.uniform(-1, 1, size=(20, 3)).astype(numpy.float32)
    ids = rng.randint(0, 100, size=20).astype(numpy.int64)
    out = m.serve(tf.constant(features), tf.constant(ids))

    tf.keras.utils.set_random_seed(3)
    inp = tf.keras.Input(shape=(28, 28), name="pixels")
    h = tf.keras.layers.Flatten()(inp)
    probs = tf.keras.layers.Dense(10, activation="softmax", name="probs")(h)
    model = tf.keras.Model(inp, probs)
    tf.saved_model.save(model, os.path.join(args.out, "keras", "1"))
    images = mnist_data.read_idx(os.path.join(args.data_dir, "mnist", "t10k-images-idx3-ubyte.gz"))[:50]
    pixels = numpy.multiply(images.astype(numpy.float32), 1.0 / 255.0)
    loaded = tf.saved_model.load(os.path.join(args.out, "keras", "1"))
    fn = loaded.signatures["serving_default"]
    (in_key, _), = fn.structured_input_signature[1].items()
    k_out = fn(**{in_key: tf.constant(pixels)})
    (out_key, k_probs), = k_out.items()

    numpy.savez(os.path.join(args.out, "expected.npz"), features=features, ids=ids, scores=out["scores"].numpy(),
                best=out["best"].numpy(), ids_plus_one=out["ids_plus_one"].numpy(), pixels=pixels,
                probs=k_probs.numpy())
    with open(os.path.join(args.out, "keys.txt"), "w") as f:
        f.write("%s %s\n" % (in_key, out_key))
    print("exported to", args.out, "keras keys", in_key, out_key)


if __name__ == "__main__":
    main()
