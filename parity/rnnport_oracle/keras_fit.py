"""rnnport fit's judge: tf-keras 2.18's model.fit trains a model_from_json(...) Sequential, as rnnport fit does.

For each case of a JSON list (model JSON file, data .npz with the x and y arrays, loss, optimizer and its
settings, batch size, epochs, shuffle, seed) it writes to OUT/<case>/:

  initial/model.ckpt*   the model's initial weights, a tensor-bundle checkpoint keyed by the variables' names
                        (gru/gru_cell/kernel, dense/bias, ...): rnnport fit restores them by name
  losses.json           the loss of every batch, from model.fit
  final/weights.npz     the weights after training, by name
  predictions.npz       model.predict(x, batch_size=len(x)) on the training rows, file order

The training is Keras' own model.fit(x, y, batch_size, epochs, shuffle) after tf.random.set_seed(seed), with a
wrapped compute_loss recording every batch's loss (fit_losses). It also writes:

  order.json            Keras' row order, {"epochs": [[row, ...], ...]}: its data handler's batches over arange(n),
                        checked against every batch fit trained on; rnnport fit's default order (BatchOrder.KERAS)

  python -m rnnport_oracle.keras_fit --cases cases.json --out OUT
  python -m rnnport_oracle.keras_fit --make-data DIR [--data-dir DATA]   # the test data sets (digits, reuters)
  python -m rnnport_oracle.keras_fit --orders orders.json --out OUT        # Keras' row orders and validation splits
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
    if case["model"].endswith(".keras") and case.get("archive_weights"):
        # the archive's own weights, as keras.models.load_model reads them (a fresh optimizer: compiled below)
        model = keras.models.load_model(case["model"], compile=False)
    elif case["model"].endswith(".keras"):
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
    # a per-timestep output [batch, time, k]: one label per step ([time] classes, [time, k] targets)
    steps = model.outputs[0].shape[1] if len(model.outputs[0].shape) == 3 else None
    if case["loss"] in FLOAT_TARGET_LOSSES:
        # float32 targets of the output's shape, as rnnport fit reads them
        y = d[case.get("y", "y")].astype(numpy.float32)
        y = y.reshape(-1, steps, classes) if steps else y.reshape(-1, classes)
    else:
        labels = d[case.get("y", "y")].astype(numpy.int64)
        y = keras.utils.to_categorical(labels, classes) if case["loss"] == "categorical_crossentropy" else labels
    os.makedirs(os.path.join(out, "initial"), exist_ok=True)
    tf.raw_ops.SaveV2(prefix=os.path.join(out, "initial", "model.ckpt"), tensor_names=names(model),
                      shape_and_slices=[""] * len(model.weights), tensors=[v.value() for v in model.weights])
    losses, order = fit_losses(model, x, y, case)
    harness.write_json(os.path.join(out, "losses.json"), {"losses": harness.float_list(losses)})
    harness.write_json(os.path.join(out, "order.json"), {"epochs": order})
    os.makedirs(os.path.join(out, "final"), exist_ok=True)
    numpy.savez(os.path.join(out, "final", "weights.npz"),
                **{nm: v.numpy() for nm, v in zip(names(model), model.weights)})
    if case.get("metrics"):
        epoch_logs(case, x, y, os.path.join(out, "initial", "model.ckpt"), model, out)
    # Keras' own model.predict, one batch of every row: its predict_function graph, as grappler optimizes it (eager
    # model(x) runs op by op and can differ from it in the last bit, e.g. GRU -> Dense(tanh) -> Dense)
    numpy.savez(os.path.join(out, "predictions.npz"), predictions=model.predict(x, batch_size=len(x), verbose=0))


def keras_order(n, batch, epochs, shuffle):
    """The row order of model.fit(x, y, batch_size, epochs, shuffle) on n rows: the batches of Keras' own data handler
    (tf_keras' TensorLikeDataAdapter, as fit builds it) over the row numbers arange(n), one list per epoch. Its
    tf.random.shuffle takes its seeds from the global seed when the dataset function is traced, so this is the
    order of a fit under the same tf.random.set_seed."""
    from tf_keras.src.engine import data_adapter
    rows = numpy.arange(n, dtype=numpy.int64)
    handler = data_adapter.get_data_handler(x=rows, y=rows, batch_size=batch, epochs=epochs, shuffle=shuffle,
                                            model=None)
    order = []
    for _, iterator in handler.enumerate_epochs():
        epoch = []
        for _ in handler.steps():
            epoch.extend(int(i) for i in next(iterator)[0].numpy())
        order.append(epoch)
    return order


def fit_losses(model, x, y, case):
    """Keras' own model.fit(x, y, batch_size, epochs, shuffle) with the loss of every batch: fit's per-batch
    logs['loss'] is a running mean, so the loss tensor the optimizer differentiates (compute_loss's result) and the
    batch's inputs are copied into variables outside the model, which a callback reads after every batch. Also
    returns Keras' row order (keras_order), after checking that every batch fit trained on is x[those rows]."""
    batch = case.get("batch_size", 32)
    epochs = case.get("epochs", 1)
    shuffle = case.get("shuffle", True)
    n = len(x)
    last_loss = tf.Variable(0.0, trainable=False)
    last_x = tf.Variable(tf.zeros([0] + list(x.shape[1:]), dtype=x.dtype), shape=tf.TensorShape(None),
                         trainable=False)
    compute_loss = model.compute_loss
    train_step = model.train_step

    def recording_loss(*args, **kwargs):
        loss = compute_loss(*args, **kwargs)
        last_loss.assign(loss)
        return loss

    def recording_step(data):
        last_x.assign(data[0])
        return train_step(data)

    seen = []

    class Record(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen.append((last_loss.numpy(), last_x.numpy()))

    model.compute_loss = recording_loss
    model.train_step = recording_step
    try:
        model.fit(x, y, batch_size=batch, epochs=epochs, shuffle=shuffle, verbose=0, callbacks=[Record()])
    finally:
        del model.compute_loss, model.train_step
    order = keras_order(n, batch, epochs, shuffle)
    flat = [i for epoch in order for i in epoch]
    starts = [e * n + b for e in range(epochs) for b in range(0, n, batch)]
    if len(seen) != len(starts):
        raise AssertionError("fit ran %d batches, its data handler has %d" % (len(seen), len(starts)))
    for k, (start, (_, xb)) in enumerate(zip(starts, seen)):
        want = x[flat[start:start + min(batch, n - start % n)]]
        if want.shape != xb.shape or want.tobytes() != xb.tobytes():
            raise AssertionError("batch %d of fit is not x[Keras' order]" % k)
    return [float(loss) for loss, _ in seen], order


def shuffle_seeds(n, batch, epochs):
    """The seed and seed2 attributes of every RandomShuffle op in the graph of the dataset model.fit builds (its
    function library, serialized), under the current global seed."""
    from tf_keras.src.engine import data_adapter
    rows = numpy.arange(n, dtype=numpy.int64)
    handler = data_adapter.get_data_handler(x=rows, y=rows, batch_size=batch, epochs=epochs, shuffle=True, model=None)
    graph = tf.compat.v1.GraphDef()
    graph.ParseFromString(handler._dataset._as_serialized_graph().numpy())
    nodes = list(graph.node) + [nd for f in graph.library.function for nd in f.node_def]
    return [[nd.attr["seed"].i, nd.attr["seed2"].i] for nd in nodes if nd.op == "RandomShuffle"]


def orders(spec):
    """Keras' row order (keras_order after tf.random.set_seed(seed)) for every {seed, n, batch_size, epochs} of
    spec["orders"], and the rows model.fit's validation_split keeps for training (train_validation_split) for every
    {n, validation_split} of spec["splits"]."""
    from tf_keras.src.engine import data_adapter
    result = {"orders": [], "splits": []}
    for o in spec.get("orders", []):
        tf.random.set_seed(o["seed"])
        result["orders"].append(dict(o, epochs_order=keras_order(o["n"], o["batch_size"], o["epochs"], True),
                                     shuffle_seeds=shuffle_seeds(o["n"], o["batch_size"], o["epochs"])))
    for sp in spec.get("splits", []):
        (train, _, _), _ = data_adapter.train_validation_split((numpy.arange(sp["n"]), None, None),
                                                               validation_split=sp["validation_split"])
        result["splits"].append(dict(sp, train_rows=len(train)))
    return result


def epoch_logs(case, x, y, init, trained, out):
    """metrics.json: the same model.fit again from the same initial weights and seed, compiled with the case's
    metrics: the logs Keras gives at each epoch's end (its float32 running means of the loss and of each metric),
    then model.evaluate(x, y, batch_size) after training (the final weights must be the first run's, bit for bit)."""
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
    epochs = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            epochs.append({k: float(v) for k, v in logs.items()})

    model.fit(x, y, batch_size=case.get("batch_size", 32), epochs=case.get("epochs", 1),
              shuffle=case.get("shuffle", True), verbose=0, callbacks=[Record()])
    for a, b in zip(model.weights, trained.weights):
        if not numpy.array_equal(a.numpy(), b.numpy()):
            raise SystemExit(case["name"] + ": the run with metrics trained other weights than the first")
    ev = model.evaluate(x, y, batch_size=case.get("batch_size", 32), verbose=0, return_dict=True)
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
        # SimpleRNN (tanh, relu, stacked, bidirectional) and GRU(reset_after=False), Keras 1's GRU convention
        "digits-simplernn": keras.Sequential([digits(), L.SimpleRNN(16), L.Dense(10, activation="softmax")]),
        "digits-simplernn-relu-x2": keras.Sequential([digits(), L.SimpleRNN(12, activation="relu", return_sequences=True),
                                                      L.SimpleRNN(12), L.Dense(10, activation="softmax")]),
        "digits-bisimplernn": keras.Sequential([digits(), L.Bidirectional(L.SimpleRNN(8, use_bias=False)),
                                                L.Dense(10, activation="softmax")]),
        "digits-gru-v1": keras.Sequential([digits(), L.GRU(12, reset_after=False), L.Dense(10, activation="softmax")]),
        "reuters-simplernn": keras.Sequential([tokens(), L.Embedding(200, 8), L.SimpleRNN(12),
                                               L.Dense(8, activation="softmax")]),
        "reuters-simplernn-relu": keras.Sequential([tokens(), L.Embedding(200, 8), L.SimpleRNN(8, activation="relu"),
                                                    L.Dense(8, activation="softmax")]),
        "reuters-gru-v1": keras.Sequential([tokens(), L.Embedding(200, 8), L.GRU(8, reset_after=False),
                                            L.Dense(8, activation="softmax")]),
        # masks: Embedding(mask_zero=True) on reuters-var's pre-padded variable-length rows, Masking(0.0) on digits
        # (whose blank pixel rows are masked steps)
        "reuters-var-lstm": keras.Sequential([tokens(), L.Embedding(200, 16, mask_zero=True), L.LSTM(16),
                                              L.Dense(8, activation="softmax")]),
        "reuters-var-bigru": keras.Sequential([tokens(), L.Embedding(200, 8, mask_zero=True),
                                               L.Bidirectional(L.GRU(8)), L.Dense(8, activation="softmax")]),
        "digits-masking-gru": keras.Sequential([digits(), L.Masking(0.0), L.GRU(12),
                                                L.Dense(10, activation="softmax")]),
        # per-timestep outputs: the wire's topic at every step (reuters-var-tags), the next pixel row's mean ink
        "reuters-var-tagger": keras.Sequential([tokens(), L.Embedding(200, 8, mask_zero=True),
                                                L.LSTM(8, return_sequences=True), L.Dense(8, activation="softmax")]),
        "reuters-var-tagger-x2": keras.Sequential([tokens(), L.Embedding(200, 8, mask_zero=True),
                                                   L.GRU(8, return_sequences=True),
                                                   L.Bidirectional(L.LSTM(6, return_sequences=True)),
                                                   L.Dense(8, activation="softmax")]),
        "reuters-var-tagger-td": keras.Sequential([tokens(), L.Embedding(200, 8, mask_zero=True),
                                                   L.Bidirectional(L.GRU(6, return_sequences=True), merge_mode="sum"),
                                                   L.TimeDistributed(L.Dense(8, activation="softmax"))]),
        "digits-next-td": keras.Sequential([digits(), L.Masking(0.0), L.LSTM(8, return_sequences=True),
                                            L.TimeDistributed(L.Dense(1))]),
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
    # a .keras archive with trained weights (one epoch of Adam on reuters-short below) and every kind of weighted
    # layer: Embedding, Bidirectional(LSTM, return_sequences), GRU, two Dense; rnnport fit starts from its weights
    mixed = keras.Sequential([keras.Input(shape=(20,), dtype="int32", name="ids"), keras.layers.Embedding(200, 8),
                              keras.layers.Bidirectional(keras.layers.LSTM(6, return_sequences=True)),
                              keras.layers.GRU(6), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(8, activation="softmax")])
    dg = load_digits()
    x = (dg.images / 16.0).astype(numpy.float32)
    numpy.savez(os.path.join(folder, "digits.npz"), x=x, y=dg.target.astype(numpy.int64))
    write_jsonl(os.path.join(folder, "digits.jsonl"), x, dg.target)
    write_csv(os.path.join(folder, "digits.csv"), x, dg.target)
    write_tfrecord(os.path.join(folder, "digits.tfrecord"), x, dg.target)
    # digits-next.npz: per-step regression targets, the mean ink of the next pixel row (0 after the last) (y float32
    # [1797, 8, 1])
    nxt = numpy.concatenate([x[:, 1:, :].mean(axis=2), numpy.zeros((len(x), 1), numpy.float32)], axis=1)
    yn = nxt.astype(numpy.float32).reshape(-1, 8, 1)
    numpy.savez(os.path.join(folder, "digits-next.npz"), x=x, y=yn)
    write_jsonl(os.path.join(folder, "digits-next.jsonl"), x, yn)
    # diabetes.npz: scikit-learn's load_diabetes, its 10 standardized features as 10 steps of 1 float (x float32
    # [442, 10, 1]) and the disease progression standardized to mean 0, std 1 (y float32 [442, 1])
    from sklearn.datasets import load_diabetes
    db = load_diabetes()
    xd = db.data.astype(numpy.float32).reshape(-1, 10, 1)
    t = db.target.astype(numpy.float64)
    yd = ((t - t.mean()) / t.std()).astype(numpy.float32).reshape(-1, 1)
    numpy.savez(os.path.join(folder, "diabetes.npz"), x=xd, y=yd)
    write_csv(os.path.join(folder, "diabetes.csv"), xd, yd)
    write_tfrecord(os.path.join(folder, "diabetes.tfrecord"), xd, yd)
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
        tf.random.set_seed(3)
        mixed.compile(loss="sparse_categorical_crossentropy", optimizer=keras.optimizers.Adam(learning_rate=0.01))
        mixed.fit(x, y, batch_size=50, epochs=1, verbose=0)
        mixed.save(os.path.join(folder, "reuters-mixed-trained.keras"))
        # reuters-var.npz: the same wires, row i cut to its first 4 + i % 17 ids (start mark included) and pre-padded
        # with 0 to 20, so lengths vary from 4 to 20 (x int32 [600, 20], y int64 [600] the topic's rank)
        cut = [xs[i][:4 + j % 17] for j, i in enumerate(keep)]
        xv = keras.preprocessing.sequence.pad_sequences(cut, maxlen=20).astype(numpy.int32)
        numpy.savez(os.path.join(folder, "reuters-var.npz"), x=xv, y=y)
        write_jsonl(os.path.join(folder, "reuters-var.jsonl"), xv, y)
        # reuters-var-tags.npz: per-step labels, the wire's topic at every real step and 0 on padding (y int64 [600, 20])
        tags = numpy.where(xv != 0, y[:, None], 0).astype(numpy.int64)
        numpy.savez(os.path.join(folder, "reuters-var-tags.npz"), x=xv, y=tags)
        write_jsonl(os.path.join(folder, "reuters-var-tags.jsonl"), xv, tags)


def write_jsonl(path, x, y):
    """The same rows as JSON Lines, {"x": [...], "y": class} ("y": a list for per-step labels): float32 values
    written as the shortest decimal that reads back as the same float32 (repr of the exact double), so the file holds
    the npz's bits."""
    with open(path, "w") as f:
        for xi, yi in zip(x, y):
            f.write(json.dumps({"x": xi.tolist(), "y": yi.tolist() if numpy.ndim(yi) else int(yi)}) + "\n")


def write_csv(path, x, y):
    """The same rows as CSV with a header x_0..x_N-1,y: each float32 as numpy's shortest repr that reads back as
    the same float32, a class as an integer."""
    flat = x.reshape(len(x), -1)
    yf = numpy.asarray(y).reshape(len(x), -1)
    with open(path, "w") as f:
        f.write(",".join(["x_%d" % i for i in range(flat.shape[1])] + ["y"]) + "\n")
        for xi, yi in zip(flat, yf):
            cells = [numpy.format_float_positional(v, unique=True, trim="-") if flat.dtype.kind == "f" else str(int(v))
                     for v in xi]
            cells.append(numpy.format_float_positional(yi[0], unique=True, trim="-") if yf.dtype.kind == "f"
                         else str(int(yi[0])))
            f.write(",".join(cells) + "\n")


def write_tfrecord(path, x, y):
    """The same rows as TFRecord tf.train.Example (tf.io.TFRecordWriter): x a float_list (or int64_list) of the
    flattened row, y an int64_list of the class (or a float_list of the targets)."""
    def feature(v):
        v = numpy.asarray(v).reshape(-1)
        if v.dtype.kind == "f":
            return tf.train.Feature(float_list=tf.train.FloatList(value=v.tolist()))
        return tf.train.Feature(int64_list=tf.train.Int64List(value=[int(a) for a in v]))
    with tf.io.TFRecordWriter(path) as w:
        for xi, yi in zip(x, y):
            w.write(tf.train.Example(features=tf.train.Features(feature={"x": feature(xi), "y": feature(yi)}))
                    .SerializeToString())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--cases")
    p.add_argument("--out")
    p.add_argument("--make-data")
    p.add_argument("--data-dir")
    p.add_argument("--orders")
    args = p.parse_args()
    if args.orders:
        with open(args.orders) as f:
            spec = json.load(f)
        os.makedirs(args.out, exist_ok=True)
        harness.write_json(os.path.join(args.out, "orders.json"), orders(spec))
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
