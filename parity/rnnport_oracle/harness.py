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


def parse_args(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--data-dir", required=True, help="rnnport data folder (holds mnist/...)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--steps", type=int, default=100, help="training steps")
    p.add_argument("--order", choices=["sequential", "shuffle"], default="sequential",
                   help="batch order: TF1 next_batch with shuffle=False, or shuffle=True after np.random.seed(seed)")
    p.add_argument("--seed", type=int, default=1, help="tf.set_random_seed and np.random.seed")
    p.add_argument("--test-count", type=int, default=1000, help="test images whose logits are written")
    return p.parse_args()


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


def export_savedmodel(sess, folder, x, outputs, model_vars):
    builder = tf.saved_model.Builder(folder)
    sig = tf.saved_model.signature_def_utils.build_signature_def(
        inputs={"input_X": tf.saved_model.utils.build_tensor_info(x)},
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
