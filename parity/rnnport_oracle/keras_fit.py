"""rnnport fit's judge: tf-keras 2.18 trains a model_from_json(...) Sequential on the same batches as rnnport fit.

For each case of a JSON list (model JSON file, data .npz with the x and y arrays, loss, optimizer and its
settings, batch size, epochs, shuffle, seed) it writes to OUT/<case>/:

  initial/model.ckpt*   the model's initial weights, a tensor-bundle checkpoint keyed by the variables' names
                        (gru/gru_cell/kernel, dense/bias, ...): rnnport fit restores them by name
  losses.json           the loss of every batch, from model.train_on_batch
  final/weights.npz     the weights after training, by name
  predictions.npz       model.predict(x, batch_size=len(x)) on the training rows, file order

The epoch order is numpy's: one np.random.RandomState(seed) draws permutation(n) at the start of every epoch (or
file order without shuffling), the order rnnport fit uses; Keras' own fit draws it with tf.random.shuffle inside
tf.data instead (see docs/deviations.md, "fit").

  python -m rnnport_oracle.keras_fit --cases cases.json --out OUT
  python -m rnnport_oracle.keras_fit --make-data DIR [--data-dir DATA]   # the test data sets (digits, reuters)
"""
import argparse
import json
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy
import tensorflow as tf
import tf_keras as keras

from rnnport_oracle import harness


REGRESSION_LOSSES = ("mse", "mae", "mean_squared_error", "mean_absolute_error")
# losses whose targets have the output's shape and are read as float32 (binary_crossentropy: 0/1 or in [0, 1])
FLOAT_TARGET_LOSSES = REGRESSION_LOSSES + ("binary_crossentropy",)


def optimizer(case):
    name = case.get("optimizer", "adam")
    kw = {}
    if "learning_rate" in case:
        kw["learning_rate"] = case["learning_rate"]
    if name == "sgd":
        return keras.optimizers.SGD(momentum=case.get("momentum", 0.0), nesterov=case.get("nesterov", False), **kw)
    if name == "rmsprop":
        return keras.optimizers.RMSprop(rho=case.get("rho", 0.9), momentum=case.get("momentum", 0.0), **kw)
    return keras.optimizers.Adam(**kw)


def names(model):
    return [v.name.split(":")[0] for v in model.weights]


def run_case(case, out):
    tf.random.set_seed(case.get("seed", 0))
    if case["model"].endswith(".keras"):
        import zipfile
        with zipfile.ZipFile(case["model"]) as z:
            model = keras.models.model_from_json(z.read("config.json").decode())
    else:
        with open(case["model"]) as f:
            model = keras.models.model_from_json(f.read())
    model.compile(loss=case["loss"], optimizer=optimizer(case))
    if case.get("init"):
        # start from given weights (by name), e.g. another run's initial/model.ckpt
        for nm, v in zip(names(model), model.weights):
            v.assign(tf.raw_ops.RestoreV2(prefix=case["init"], tensor_names=[nm], shape_and_slices=[""],
                                          dtypes=[v.dtype])[0])
    d = numpy.load(case["data"])
    x = d[case.get("x", "x")]
    classes = model.outputs[0].shape[-1]
    if case["loss"] in FLOAT_TARGET_LOSSES:
        # float32 targets of the output's shape, as rnnport fit reads them
        y = d[case.get("y", "y")].astype(numpy.float32).reshape(-1, classes)
    else:
        labels = d[case.get("y", "y")].astype(numpy.int64)
        y = keras.utils.to_categorical(labels, classes) if case["loss"] == "categorical_crossentropy" else labels
    os.makedirs(os.path.join(out, "initial"), exist_ok=True)
    tf.raw_ops.SaveV2(prefix=os.path.join(out, "initial", "model.ckpt"), tensor_names=names(model),
                      shape_and_slices=[""] * len(model.weights), tensors=[v.value() for v in model.weights])
    rs = numpy.random.RandomState(case.get("seed", 0))
    batch = case.get("batch_size", 32)
    n = len(x)
    losses = []
    for epoch in range(case.get("epochs", 1)):
        order = rs.permutation(n) if case.get("shuffle", True) else numpy.arange(n)
        for b in range(0, n, batch):
            idx = order[b:b + batch]
            losses.append(model.train_on_batch(x[idx], y[idx]))
    harness.write_json(os.path.join(out, "losses.json"), {"losses": harness.float_list(losses)})
    os.makedirs(os.path.join(out, "final"), exist_ok=True)
    numpy.savez(os.path.join(out, "final", "weights.npz"),
                **{nm: v.numpy() for nm, v in zip(names(model), model.weights)})
    if case.get("metrics"):
        epoch_logs(case, x, y, os.path.join(out, "initial", "model.ckpt"), model, out)
    # Keras' own model.predict, one batch of every row: its predict_function graph, as grappler optimizes it (eager
    # model(x) runs op by op and can differ from it in the last bit, e.g. GRU -> Dense(tanh) -> Dense)
    numpy.savez(os.path.join(out, "predictions.npz"), predictions=model.predict(x, batch_size=len(x), verbose=0))


def epoch_logs(case, x, y, init, trained, out):
    """metrics.json: the same training again from the same initial weights, compiled with the case's metrics, as fit
    keeps its logs: the metrics reset at each epoch's start, train_on_batch(reset_metrics=False) on the same batches,
    the logs after each epoch's last batch (Keras' float32 running means of the loss and of each metric), then
    model.evaluate(x, y, batch_size) after training (the final weights must be the first run's, bit for bit)."""
    tf.random.set_seed(case.get("seed", 0))
    if case["model"].endswith(".keras"):
        import zipfile
        with zipfile.ZipFile(case["model"]) as z:
            model = keras.models.model_from_json(z.read("config.json").decode())
    else:
        with open(case["model"]) as f:
            model = keras.models.model_from_json(f.read())
    model.compile(loss=case["loss"], optimizer=optimizer(case), metrics=case["metrics"])
    for nm, v in zip(names(model), model.weights):
        v.assign(tf.raw_ops.RestoreV2(prefix=init, tensor_names=[nm], shape_and_slices=[""], dtypes=[v.dtype])[0])
    rs = numpy.random.RandomState(case.get("seed", 0))
    batch = case.get("batch_size", 32)
    n = len(x)
    epochs = []
    for epoch in range(case.get("epochs", 1)):
        order = rs.permutation(n) if case.get("shuffle", True) else numpy.arange(n)
        model.reset_metrics()
        for b in range(0, n, batch):
            idx = order[b:b + batch]
            logs = model.train_on_batch(x[idx], y[idx], reset_metrics=False, return_dict=True)
        epochs.append({k: float(v) for k, v in logs.items()})
    for a, b in zip(model.weights, trained.weights):
        if not numpy.array_equal(a.numpy(), b.numpy()):
            raise SystemExit(case["name"] + ": the run with metrics trained other weights than the first")
    ev = model.evaluate(x, y, batch_size=batch, verbose=0, return_dict=True)
    harness.write_json(os.path.join(out, "metrics.json"), {"epochs": epochs,
                                                           "evaluate": {k: float(v) for k, v in ev.items()}})


def test_models():
    """The parity matrix's models, as a user would write them (written with model.to_json())."""
    L = keras.layers
    digits = lambda: keras.Input(shape=(8, 8), name="pixels")
    tokens = lambda: keras.Input(shape=(20,), dtype="int32", name="ids")
    return {
        "digits-gru": keras.Sequential([digits(), L.GRU(12), L.Dense(10, activation="softmax")]),
        "digits-gru-x2": keras.Sequential([digits(), L.GRU(10, return_sequences=True), L.GRU(10),
                                           L.Dense(10, activation="tanh", use_bias=False),
                                           L.Dense(10, activation="softmax")]),
        "digits-lstm-x2": keras.Sequential([digits(), L.LSTM(12, return_sequences=True), L.LSTM(12),
                                            L.Dense(16, activation="relu"), L.Dense(10, activation="softmax")]),
        "digits-bilstm": keras.Sequential([digits(), L.Bidirectional(L.LSTM(8)), L.Dense(10, activation="softmax")]),
        "digits-bigru-x2": keras.Sequential([digits(), L.Bidirectional(L.GRU(8, return_sequences=True), merge_mode="sum"),
                                             L.Bidirectional(L.GRU(8), merge_mode="ave"),
                                             L.Dense(10, activation="softmax")]),
        "reuters-bilstm-mul": keras.Sequential([tokens(), L.Embedding(200, 8),
                                                L.Bidirectional(L.LSTM(8), merge_mode="mul"),
                                                L.Dense(8, activation="softmax")]),
        "reuters-lstm": keras.Sequential([tokens(), L.Embedding(200, 16), L.LSTM(16), L.Dense(8, activation="softmax")]),
        "reuters-gru": keras.Sequential([tokens(), L.Embedding(200, 8), L.GRU(8), L.Dense(8, activation="softmax")]),
        # regression: diabetes' 10 features as 10 steps of 1 value, one linear output
        "diabetes-lstm": keras.Sequential([keras.Input(shape=(10, 1), name="features"), L.LSTM(8), L.Dense(1)]),
        "diabetes-gru": keras.Sequential([keras.Input(shape=(10, 1), name="features"), L.GRU(6),
                                          L.Dense(4, activation="tanh"), L.Dense(1)]),
        # binary_crossentropy: breast cancer's 30 features as 3 steps (mean, error, worst) of 10, one sigmoid output
        "cancer-gru": keras.Sequential([keras.Input(shape=(3, 10), name="cells"), L.GRU(8),
                                        L.Dense(1, activation="sigmoid")]),
        "cancer-lstm-x2": keras.Sequential([keras.Input(shape=(3, 10), name="cells"), L.LSTM(8, return_sequences=True),
                                            L.LSTM(8), L.Dense(4, activation="relu"),
                                            L.Dense(1, activation="sigmoid")]),
        # Dropout: on the embedded sequence, on a returned sequence, on a last state (with a layer seed), between
        # Dense layers; its masks drawn as Keras draws them (rows a multiple of the batch: one train_function trace)
        "reuters-lstm-dropout": keras.Sequential([tokens(), L.Embedding(200, 16), L.Dropout(0.2),
                                                  L.LSTM(16, return_sequences=True), L.Dropout(0.3), L.LSTM(16),
                                                  L.Dropout(0.5, seed=3), L.Dense(8, activation="softmax")]),
        "diabetes-gru-dropout": keras.Sequential([keras.Input(shape=(10, 1), name="features"), L.GRU(8),
                                                  L.Dropout(0.25), L.Dense(4, activation="tanh"), L.Dropout(0.1),
                                                  L.Dense(1)]),
        # multi-label: digits, two sigmoid outputs (is it 0-4, is it even)
        "digits-gru-multilabel": keras.Sequential([digits(), L.GRU(12), L.Dense(2, activation="sigmoid")]),
    }


def make_data(folder, data_dir):
    """diabetes.npz: scikit-learn's load_diabetes as 10-step sequences with a float target (regression);
    digits.npz: scikit-learn's load_digits, 8x8 images as 8 steps of 8 floats in [0, 1] (x float32, y int64);
    reuters-short.npz: the first 600 Reuters newswires with num_words=200, pre-padded/truncated to 20 ids (x int32),
    labels remapped to the 8 most frequent topics' ranks, other topics dropped (y int64)."""
    from sklearn.datasets import load_digits
    os.makedirs(folder, exist_ok=True)
    for name, m in test_models().items():
        with open(os.path.join(folder, name + ".json"), "w") as f:
            f.write(m.to_json())
    # a .keras archive whose compile_config carries the loss and the optimizer's settings
    m = test_models()["digits-gru"]
    m.compile(loss="sparse_categorical_crossentropy",
              optimizer=keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True))
    m.save(os.path.join(folder, "digits-gru-sgd.keras"))
    dg = load_digits()
    x = (dg.images / 16.0).astype(numpy.float32)
    numpy.savez(os.path.join(folder, "digits.npz"), x=x, y=dg.target.astype(numpy.int64))
    write_jsonl(os.path.join(folder, "digits.jsonl"), x, dg.target)
    # diabetes.npz: scikit-learn's load_diabetes, its 10 standardized features as 10 steps of 1 float (x float32
    # [442, 10, 1]) and the disease progression standardized to mean 0, std 1 (y float32 [442, 1])
    from sklearn.datasets import load_diabetes
    db = load_diabetes()
    xd = db.data.astype(numpy.float32).reshape(-1, 10, 1)
    t = db.target.astype(numpy.float64)
    yd = ((t - t.mean()) / t.std()).astype(numpy.float32).reshape(-1, 1)
    numpy.savez(os.path.join(folder, "diabetes.npz"), x=xd, y=yd)
    # digits-multilabel.npz: the same images, y float32 [n, 2] = (digit < 5, digit even) as 0/1
    y2 = numpy.stack([dg.target < 5, dg.target % 2 == 0], axis=1).astype(numpy.float32)
    numpy.savez(os.path.join(folder, "digits-multilabel.npz"), x=x, y=y2)
    write_jsonl(os.path.join(folder, "digits-multilabel.jsonl"), x, y2)
    # cancer.npz: scikit-learn's load_breast_cancer, its 30 features standardized (mean 0, std 1 per feature) as 3
    # steps (the mean, standard error and worst of 10 cell measurements) of 10 floats (x float32 [569, 3, 10]), and
    # the diagnosis as an integer (y int64 [569], 1 = benign)
    from sklearn.datasets import load_breast_cancer
    bc = load_breast_cancer()
    f = (bc.data - bc.data.mean(axis=0)) / bc.data.std(axis=0)
    xc = f.astype(numpy.float32).reshape(-1, 3, 10)
    numpy.savez(os.path.join(folder, "cancer.npz"), x=xc, y=bc.target.astype(numpy.int64))
    write_jsonl(os.path.join(folder, "cancer.jsonl"), xc, bc.target)
    if data_dir:
        path = os.path.abspath(os.path.join(data_dir, "reuters", "reuters.npz"))
        (xs, ys), _ = keras.datasets.reuters.load_data(path=path, num_words=200, test_split=0.2)
        top = [int(t) for t, _ in sorted(zip(*numpy.unique(ys, return_counts=True)), key=lambda p: -p[1])[:8]]
        keep = [i for i in range(len(ys)) if int(ys[i]) in top][:600]
        x = keras.preprocessing.sequence.pad_sequences([xs[i] for i in keep], maxlen=20).astype(numpy.int32)
        y = numpy.array([top.index(int(ys[i])) for i in keep], dtype=numpy.int64)
        numpy.savez(os.path.join(folder, "reuters-short.npz"), x=x, y=y)
        write_jsonl(os.path.join(folder, "reuters-short.jsonl"), x, y)


def write_jsonl(path, x, y):
    """The same rows as JSON Lines, {"x": [...], "y": class}: float32 values written as the shortest decimal that
    reads back as the same float32 (repr of the exact double), so the file holds the npz's bits."""
    with open(path, "w") as f:
        for xi, yi in zip(x, y):
            f.write(json.dumps({"x": xi.tolist(), "y": yi.tolist() if numpy.ndim(yi) else int(yi)}) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases")
    p.add_argument("--out")
    p.add_argument("--make-data")
    p.add_argument("--data-dir")
    args = p.parse_args()
    if args.make_data:
        make_data(args.make_data, args.data_dir)
    if not args.cases:
        return
    with open(args.cases) as f:
        cases = json.load(f)
    for case in cases:
        run_case(case, os.path.join(args.out, case["name"]))
    harness.write_json(os.path.join(args.out, "meta.json"), {"tensorflow": tf.__version__, "numpy": numpy.__version__,
                                                             "cases": [c["name"] for c in cases]})


if __name__ == "__main__":
    main()
