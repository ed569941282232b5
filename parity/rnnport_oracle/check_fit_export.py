"""Python's side of an rnnport fit export: tf.saved_model.load takes it unchanged, and its weights load into Keras'
model_from_json(...) by name. Prints one JSON line: the signature's inputs and outputs, and whether Keras' predictions
with the exported weights equal the SavedModel's probabilities bit for bit.

  python -m rnnport_oracle.check_fit_export --export DIR --model MODEL.json --data FILE.npz --x x
"""
import argparse
import json
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy
import tensorflow as tf
import tf_keras as keras


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--export", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--x", default="x")
    args = p.parse_args()
    x = numpy.load(args.data)[args.x]
    loaded = tf.saved_model.load(args.export)
    sig = loaded.signatures["serving_default"]
    out = sig(**{args.x: tf.constant(x)})
    with open(args.model) as f:
        model = keras.models.model_from_json(f.read())
    reader = tf.train.load_checkpoint(os.path.join(args.export, "variables", "variables"))
    names = []
    for v in model.weights:
        name = v.name.split(":")[0]
        v.assign(reader.get_tensor(name))
        names.append(name)
    keras_probs = model(x, training=False).numpy()
    saved_probs = out["probabilities"].numpy()
    print(json.dumps({
        "inputs": {k: [None if d is None else int(d) for d in s.shape] for k, s in
                   sig.structured_input_signature[1].items()},
        "outputs": sorted(out.keys()),
        "weights": names,
        "kerasEqualsSavedModel": bool(numpy.array_equal(keras_probs.view(numpy.int32), saved_probs.view(numpy.int32))),
        "accuracy": float((saved_probs.argmax(1) == numpy.load(args.data)["y"]).mean()),
    }))


if __name__ == "__main__":
    main()
