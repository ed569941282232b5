"""What every notebook oracle writes, so the Java side can compare (see rnnport's parity package).

OUT/initial/model.ckpt*      Saver over all global variables, before training
OUT/initial/variables.json   name -> shape, dtype of that checkpoint
OUT/losses.json              per-step loss of the N training steps
OUT/final/model.ckpt*        Saver over all global variables, after training
OUT/test_logits.json         logits of the first test images
OUT/savedmodel/1/            SavedModel (Builder), tag serve, signature serving_default
OUT/graph.pbtxt              the training GraphDef as text
OUT/meta.json                versions and settings
"""
import argparse
import json
import os

import numpy
import tensorflow.compat.v1 as tf


def parse_args(description, variants=None):
    p = argparse.ArgumentParser(description=description)
    if variants:
        p.add_argument("--variant", choices=variants, default=variants[0])
    p.add_argument("--data-dir", required=True, help="rnnport data folder (holds mnist/...)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--steps", type=int, default=100, help="training steps")
    p.add_argument("--order", choices=["sequential", "shuffle"], default="sequential",
                   help="batch order: TF1 next_batch with shuffle=False, or shuffle=True after np.random.seed(seed)")
    p.add_argument("--seed", type=int, default=1, help="tf.set_random_seed and np.random.seed")
    p.add_argument("--test-count", type=int, default=1000, help="test images whose logits are written")
    p.add_argument("--cell", choices=["rnn", "lstm", "gru"], help="replace the notebook's cell (beyond the notebooks)")
    p.add_argument("--units", type=int, help="units of the replacement cell")
    p.add_argument("--layers", type=int, default=1, help="stack this many cells (MultiRNNCell)")
    p.add_argument("--bidirectional", action="store_true", help="run both ways (bidirectional_rnn/fw|bw)")
    return p.parse_args()


def make_cell(kind, units, layers):
    """The TF1 cell rnnport's RnnSpec names: BasicRNNCell, BasicLSTMCell(forget_bias=1.0) or GRUCell,
    stacked in a MultiRNNCell when layers > 1."""
    def one():
        if kind == "rnn":
            return tf.nn.rnn_cell.BasicRNNCell(units)
        if kind == "lstm":
            return tf.nn.rnn_cell.BasicLSTMCell(units, forget_bias=1.0)
        return tf.nn.rnn_cell.GRUCell(units)
    if layers == 1:
        return one()
    return tf.nn.rnn_cell.MultiRNNCell([one() for _ in range(layers)])


def final_h(state):
    """The last layer's h of a final state (LSTMStateTuple.h, the state itself for RNN/GRU)."""
    if isinstance(state, tuple) and not hasattr(state, "h"):
        return final_h(state[-1])
    return state.h if hasattr(state, "h") else state


def spec(args, default_cell, default_units):
    """(cell, units, layers, bidirectional) for this run: the notebook's unless the flags say otherwise."""
    return (args.cell or default_cell, args.units or default_units, args.layers, args.bidirectional)


def weights_of(cell):
    return cell.weights


def write_json(path, value):
    tmp = path + ".part"
    with open(tmp, "w") as f:
        json.dump(value, f)
    os.replace(tmp, path)


def float_list(a):
    """float32 values as Python floats (exact: every float32 is a double)."""
    return numpy.asarray(a, dtype=numpy.float32).astype(numpy.float64).tolist()


def save_checkpoint(sess, folder):
    os.makedirs(folder, exist_ok=True)
    saver = tf.train.Saver(var_list=tf.global_variables(), save_relative_paths=True)
    prefix = saver.save(sess, os.path.join(folder, "model.ckpt"), write_meta_graph=False)
    write_json(os.path.join(folder, "variables.json"),
               {name: {"shape": shape} for name, shape in tf.train.list_variables(prefix)})
    return prefix


def export_savedmodel(sess, folder, input_key, x, outputs, model_vars):
    builder = tf.saved_model.Builder(folder)
    sig = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={input_key: tf.saved_model.utils.build_tensor_info(x)},
        outputs={k: tf.saved_model.utils.build_tensor_info(v) for k, v in outputs.items()},
        method_name=tf.saved_model.signature_constants.PREDICT_METHOD_NAME)
    builder.add_meta_graph_and_variables(
        sess, ["serve"], signature_def_map={"serving_default": sig},
        saver=tf.train.Saver(var_list=model_vars, save_relative_paths=True))
    builder.save()


def write_graph(graph, path):
    tf.io.write_graph(graph.as_graph_def(), os.path.dirname(path), os.path.basename(path), as_text=True)


def meta(args, extra):
    m = {"tensorflow": tf.__version__, "numpy": numpy.__version__, "seed": args.seed, "order": args.order,
         "steps": args.steps, "oneDNN": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")}
    m.update(extra)
    return m


def run_mnist(args, m, name):
    """The shared oracle loop for the MNIST notebooks. `m` is what the notebook's build() returns:
    X, Y, logits, probabilities, classes, cost, opt, model_vars, input_key, feed_shape, batch_size."""
    from rnnport_oracle import mnist_data
    numpy.random.seed(args.seed)
    mnist = mnist_data.read_data_sets(args.data_dir)
    os.makedirs(args.out, exist_ok=True)
    write_graph(tf.get_default_graph(), os.path.join(args.out, "graph.pbtxt"))
    shape = m["feed_shape"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        save_checkpoint(sess, os.path.join(args.out, "initial"))
        losses = []
        for step in range(args.steps):
            batch_xs, batch_ys = mnist.train.next_batch(m["batch_size"], shuffle=(args.order == "shuffle"))
            batch_xs = batch_xs.reshape([-1] + shape)
            _, cost_val = sess.run([m["opt"], m["cost"]], feed_dict={m["X"]: batch_xs, m["Y"]: batch_ys})
            losses.append(cost_val)
        write_json(os.path.join(args.out, "losses.json"), {"losses": float_list(losses)})
        save_checkpoint(sess, os.path.join(args.out, "final"))
        test_xs = mnist.test.images[:args.test_count].reshape([-1] + shape)
        logits = sess.run(m["logits"], feed_dict={m["X"]: test_xs})
        write_json(os.path.join(args.out, "test_logits.json"), {"logits": float_list(logits)})
        export_savedmodel(sess, os.path.join(args.out, "savedmodel", "1"), m["input_key"], m["X"],
                          {"logits": m["logits"], "probabilities": m["probabilities"], "classes": m["classes"]},
                          m["model_vars"])
    write_json(os.path.join(args.out, "meta.json"), meta(args, {"model": name}))
