"""Notebook 003b (Keras Embedding(1000, 100) + LSTM(100, tanh) + Dense(46, softmax) on Reuters), as the
notebook wrote it with tf-keras 2.18 (TF_USE_LEGACY_KERAS=1), in eager mode as the notebook ran. For a
comparison it trains with model.train_on_batch on batches of 100 in file order (fit shuffles with
tf.data's own RNG), and writes what harness.py lists; the initial and final weights are written as a
tensor-bundle checkpoint keyed by the variables' names (embedding/embeddings, lstm/lstm_cell/kernel, ...)."""
import argparse
import os

import numpy
import tensorflow as tf
from tensorflow import keras

from rnnport_oracle import harness

MAXLEN = 100


def load(data_dir):
    path = os.path.abspath(os.path.join(data_dir, "reuters", "reuters.npz"))
    (X_train, Y_train), (X_test, Y_test) = keras.datasets.reuters.load_data(path=path, num_words=1000, test_split=0.2)
    x_train = keras.preprocessing.sequence.pad_sequences(X_train, maxlen=MAXLEN)
    x_test = keras.preprocessing.sequence.pad_sequences(X_test, maxlen=MAXLEN)
    y_train = keras.utils.to_categorical(Y_train)
    y_test = keras.utils.to_categorical(Y_test)
    return x_train, y_train, x_test, y_test


def build():
    model = keras.Sequential()
    model.add(keras.Input(shape=(MAXLEN,), dtype="int32", name="embedding_input"))
    model.add(keras.layers.Embedding(1000, 100))
    model.add(keras.layers.LSTM(100, activation="tanh"))
    model.add(keras.layers.Dense(46, activation="softmax"))
    model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def names(model):
    return [v.name.split(":")[0] for v in model.weights]


def save_weights(model, folder):
    os.makedirs(folder, exist_ok=True)
    prefix = os.path.join(folder, "model.ckpt")
    tf.raw_ops.SaveV2(prefix=prefix, tensor_names=names(model), shape_and_slices=[""] * len(model.weights),
                      tensors=[v.value() for v in model.weights])
    harness.write_json(os.path.join(folder, "variables.json"),
                       {n: {"shape": list(v.shape)} for n, v in zip(names(model), model.weights)})


def logits_fn(model):
    features = keras.Model(model.inputs, model.layers[1].output)
    dense = model.layers[2]

    @tf.function(input_signature=[tf.TensorSpec([None, MAXLEN], tf.int32, name="embedding_input")])
    def serve(embedding_input):
        logits = tf.nn.bias_add(tf.matmul(features(embedding_input), dense.kernel), dense.bias)
        return {"logits": logits, "probabilities": tf.nn.softmax(logits), "classes": tf.argmax(logits, 1)}
    return serve


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data-dir", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--steps", type=int, default=30)
    p.add_argument("--order", choices=["sequential"], default="sequential")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--test-count", type=int, default=1000)
    args = p.parse_args()
    numpy.random.seed(args.seed)
    tf.random.set_seed(args.seed)
    x_train, y_train, x_test, y_test = load(args.data_dir)
    model = build()
    os.makedirs(args.out, exist_ok=True)
    save_weights(model, os.path.join(args.out, "initial"))
    losses = []
    batches = (len(x_train) + 99) // 100
    for step in range(args.steps):
        b = step % batches
        loss, acc = model.train_on_batch(x_train[b * 100:(b + 1) * 100], y_train[b * 100:(b + 1) * 100])
        losses.append(loss)
    harness.write_json(os.path.join(args.out, "losses.json"), {"losses": harness.float_list(losses)})
    save_weights(model, os.path.join(args.out, "final"))
    serve = logits_fn(model)
    out = serve(tf.constant(x_test[:args.test_count].astype(numpy.int32)))
    harness.write_json(os.path.join(args.out, "test_logits.json"), {"logits": harness.float_list(out["logits"].numpy())})
    tf.saved_model.save(model, os.path.join(args.out, "savedmodel", "1"), signatures={"serving_default": serve})
    harness.write_json(os.path.join(args.out, "meta.json"), {
        "tensorflow": tf.__version__, "numpy": numpy.__version__, "keras": keras.__version__ if hasattr(keras, "__version__") else "tf-keras",
        "seed": args.seed, "steps": args.steps, "model": "reuters-lstm", "variables": names(model)})


if __name__ == "__main__":
    main()
