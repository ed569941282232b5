"""Loads SavedModels (e.g. ones rnnport exported in Java) with both Python loaders and writes the logits
of the first test images: tf.saved_model.load(...).signatures['serving_default'] (TF2, eager) and
tf.compat.v1.saved_model.loader.load in a Session (TF1). --model and --out come in pairs and may repeat:
one process (one TensorFlow import) loads them all."""
import argparse
import json
import os

import numpy
import tensorflow as tf

from rnnport_oracle import harness, mnist_data


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--model", required=True, action="append")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--dataset", choices=["mnist", "reuters"], default="mnist")
    p.add_argument("--out", required=True, action="append", help="JSON file, one per --model")
    args = p.parse_args()
    if len(args.model) != len(args.out):
        p.error("--model and --out come in pairs: %d models, %d outputs" % (len(args.model), len(args.out)))
    if args.dataset == "mnist":
        images = mnist_data.read_idx(args.data_dir + "/mnist/t10k-images-idx3-ubyte.gz")[:args.count]
        x = numpy.multiply(images.astype(numpy.float32), 1.0 / 255.0)
    else:
        from rnnport_oracle import reuters_lstm
        x = reuters_lstm.load(args.data_dir)[2][:args.count].astype(numpy.int32)
    for model, out in zip(args.model, args.out):
        load(model, x, args.dataset, out)


def load(model, x, dataset, out):
    loaded = tf.saved_model.load(model)
    fn = loaded.signatures["serving_default"]
    (input_key, spec), = fn.structured_input_signature[1].items()
    if dataset == "mnist":
        x = x.reshape([-1] + spec.shape.as_list()[1:])
    out_v2 = fn(**{input_key: tf.constant(x)})
    v2 = {k: v.numpy() for k, v in out_v2.items()}

    with tf.Graph().as_default(), tf.compat.v1.Session() as sess:
        mg = tf.compat.v1.saved_model.loader.load(sess, ["serve"], model)
        sig = mg.signature_def["serving_default"]
        fetches = {k: t.name for k, t in sig.outputs.items()}
        v1 = sess.run(fetches, feed_dict={sig.inputs[input_key].name: x})

    harness.write_json(out, {
        "v2": {"logits": harness.float_list(v2["logits"]), "classes": v2["classes"].tolist()},
        "v1": {"logits": harness.float_list(v1["logits"]), "classes": v1["classes"].tolist()},
        "signature_method": sig.method_name,
        "tensorflow": tf.__version__,
    })

if __name__ == "__main__":
    main()
