"""tf-keras 2.18's initial weights for a seed: what rnnport fit --seed S must start from (KerasInitialWeightsTest).

For each model it writes OUT/<model>.json (model.to_json()) and, for each seed S, OUT/<model>-<S>.npz: the weights
of keras.models.model_from_json(json) right after keras.utils.set_random_seed(S), by name (gru/gru_cell/kernel, ...),
plus OUT/<model>-<S>.json with the names in creation order and the seed each random initializer drew.

The models are keras_fit.test_models() (the parity matrix) and a few of this module's own (SimpleRNN, GRU with
reset_after=False, two Dense layers after an LSTM), with fixed layer names.

How tf-keras 2.18 draws them (tf_keras/src/initializers/initializers.py, backend.RandomGenerator): GlorotUniform,
Orthogonal and RandomUniform use RandomGenerator(seed=None, rng_type="stateless"); on its first call it takes
seed = backend._SEED_GENERATOR.generator.randint(1, 1e9) (the random.Random(S) that set_random_seed installs; without
it, the global random module's randint, which tf.random.set_seed does not seed) and runs
tf.random.stateless_uniform/stateless_normal(shape, seed=[seed, 0]). --check recomputes every weight from those
seeds with raw ops and fails unless each is Keras' own bit for bit.

  python -m rnnport_oracle.keras_init --out OUT --seeds 0,1,42 [--check]
"""
import argparse
import json
import os
import random
import warnings

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy
import tensorflow as tf
import tf_keras as keras

from rnnport_oracle.keras_fit import test_models


def own_models():
    L = keras.layers
    return {
        "init-simplernn-gru-v1": keras.Sequential([
            keras.Input(shape=(8, 8), name="pixels"),
            L.SimpleRNN(5, return_sequences=True, name="simple_rnn"),
            L.GRU(6, reset_after=False, name="gru_v1"),
            L.Dense(3, activation="softmax", name="out")], name="init_simplernn_gru_v1"),
        "init-lstm-dense2": keras.Sequential([
            keras.Input(shape=(5, 3), name="features"),
            L.LSTM(7, name="lstm"),
            L.Dense(9, activation="relu", name="hidden"),
            L.Dense(4, activation="softmax", name="out")], name="init_lstm_dense2"),
    }


def models():
    m = dict(test_models())
    m.update(own_models())
    return m


def names(model):
    return [v.name.split(":")[0] for v in model.weights]


def recompute(model, seed):
    """Each weight from the seeds Keras draws, with the raw ops its initializers run."""
    r = random.Random(seed)
    out, seeds = {}, {}
    for w in model.weights:
        n = w.name.split(":")[0]
        shape = tuple(int(d) for d in w.shape)
        leaf = n.split("/")[-1]
        if leaf == "bias":  # zeros (GRU, SimpleRNN, Dense) or LSTM's unit_forget_bias: no draw
            continue
        s = r.randint(1, 10**9)
        seeds[n] = s
        key, counter = tf.raw_ops.StatelessRandomGetKeyCounter(seed=tf.constant([s, 0], tf.int64))
        if leaf == "recurrent_kernel":
            rows, cols = shape
            a = tf.raw_ops.StatelessRandomNormalV2(shape=(max(rows, cols), min(rows, cols)), key=key,
                                                    counter=counter, alg=3, dtype=tf.float32)
            a = a * tf.constant(1.0) + tf.constant(0.0)
            q, rr = tf.raw_ops.Qr(input=a, full_matrices=False)
            q = q * tf.sign(tf.raw_ops.DiagPart(input=rr))
            if rows < cols:
                q = tf.transpose(q)
            v = tf.reshape(q, shape)
        else:
            if leaf == "embeddings":
                lo, hi = -0.05, 0.05
            else:
                lim = numpy.sqrt(3.0 / max(1.0, (shape[0] + shape[1]) / 2.0))
                lo, hi = -lim, lim
            u = tf.raw_ops.StatelessRandomUniformV2(shape=shape, key=key, counter=counter, alg=3, dtype=tf.float32)
            mn, mx = tf.constant(lo, tf.float32), tf.constant(hi, tf.float32)
            v = u * (mx - mn) + mn
        out[n] = v.numpy()
    return out, seeds


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True)
    p.add_argument("--seeds", default="0,1,42")
    p.add_argument("--check", action="store_true")
    args = p.parse_args()
    warnings.simplefilter("ignore", DeprecationWarning)  # randint(1, 1e9): a float bound, deprecated since 3.10
    os.makedirs(args.out, exist_ok=True)
    bad = []
    for name, built in models().items():
        j = built.to_json()
        with open(os.path.join(args.out, name + ".json"), "w") as f:
            f.write(j)
        for seed in [int(s) for s in args.seeds.split(",")]:
            keras.utils.set_random_seed(seed)
            model = keras.models.model_from_json(j)
            weights = {n: w.numpy() for n, w in zip(names(model), model.weights)}
            mine, seeds = recompute(model, seed)
            for n, v in mine.items():
                if not numpy.array_equal(v.view(numpy.uint32), weights[n].view(numpy.uint32)):
                    bad.append(f"{name} seed {seed} {n}")
            numpy.savez(os.path.join(args.out, f"{name}-{seed}.npz"), **weights)
            with open(os.path.join(args.out, f"{name}-{seed}.json"), "w") as f:
                json.dump({"weights": names(model), "seeds": seeds}, f, indent=1)
            print(f"{name} seed {seed}: {len(weights)} weights, seeds {list(seeds.values())}", flush=True)
    if args.check and bad:
        raise SystemExit("recomputed weights differ from Keras': " + ", ".join(bad))


if __name__ == "__main__":
    main()
