"""Exports small TF1 SavedModels shaped like TensorFlow Serving's test models, for rnnport serve's
tests (into --out, at test time; nothing binary is committed):

- half_plus_three/123: TF Serving's half_plus_two recipe with b = 3: tf.Example input parsed for
  feature "x" (FixedLenFeature [1] float32); serving_default predicts y = 0.5 x + 3 from the tensor
  "x" ([-1, 1], an Identity, not a placeholder); "tensorflow/serving/regress" and
  "tensorflow/serving/classify" take serialized tf.Examples; "regress_x2_to_y3" is a regress
  signature over a float tensor (as in TF Serving's model); "odd_dtype" declares DT_INT64 for the
  float tensor "x:0", a signature TF Serving loads the model with and fails only when it is used.
- classifier/1: serving_default classifies tf.Examples with a float feature "x" ([2]) into three
  labels: outputs "classes" (DT_STRING [-1, 3]) and "scores" (softmax, DT_FLOAT [-1, 3]).

Writes a JSON summary of what it exported to --out/models.json."""
import argparse
import json
import os

import tensorflow.compat.v1 as tf

tf.disable_eager_execution()

S = tf.saved_model.signature_constants
U = tf.saved_model.utils


def sig(inputs, outputs, method):
    return tf.saved_model.signature_def_utils.build_signature_def(
        {k: U.build_tensor_info(v) for k, v in inputs.items()},
        {k: U.build_tensor_info(v) for k, v in outputs.items()}, method)


def half_plus_three(path):
    with tf.Graph().as_default(), tf.Session() as sess:
        a = tf.Variable(0.5, name="a")
        b = tf.Variable(3.0, name="b")
        c = tf.Variable(4.0, name="c")
        serialized = tf.placeholder(tf.string, name="tf_example", shape=[None])
        ex = tf.parse_example(serialized, {
            "x": tf.FixedLenFeature([1], dtype=tf.float32),
            "x2": tf.FixedLenFeature([1], dtype=tf.float32, default_value=[0.0])})
        x = tf.identity(ex["x"], name="x")
        y = tf.identity(tf.add(tf.multiply(a, x), b), name="y")
        x2 = tf.identity(ex["x2"], name="x2")
        y3 = tf.identity(tf.add(tf.multiply(a, x2), c), name="y3")
        odd = sig({"x": x}, {"y": y}, S.PREDICT_METHOD_NAME)
        odd.inputs["x"].dtype = tf.int64.as_datatype_enum  # declared wrong on purpose
        sigs = {
            S.DEFAULT_SERVING_SIGNATURE_DEF_KEY: sig({"x": x}, {"y": y}, S.PREDICT_METHOD_NAME),
            S.REGRESS_METHOD_NAME: sig({S.REGRESS_INPUTS: serialized}, {S.REGRESS_OUTPUTS: y}, S.REGRESS_METHOD_NAME),
            S.CLASSIFY_METHOD_NAME: sig({S.CLASSIFY_INPUTS: serialized}, {S.CLASSIFY_OUTPUT_SCORES: y},
                                        S.CLASSIFY_METHOD_NAME),
            "regress_x2_to_y3": sig({S.REGRESS_INPUTS: x2}, {S.REGRESS_OUTPUTS: y3}, S.REGRESS_METHOD_NAME),
            "odd_dtype": odd,
        }
        sess.run(tf.global_variables_initializer())
        builder = tf.saved_model.builder.SavedModelBuilder(path)
        builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING], signature_def_map=sigs)
        builder.save()


def classifier(path):
    with tf.Graph().as_default(), tf.Session() as sess:
        serialized = tf.placeholder(tf.string, name="tf_example", shape=[None])
        ex = tf.parse_example(serialized, {"x": tf.FixedLenFeature([2], dtype=tf.float32)})
        w = tf.Variable([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]], name="w")
        scores = tf.nn.softmax(tf.matmul(ex["x"], w), name="scores")
        labels = tf.constant(["cat", "dog", "bird"])
        classes = tf.identity(tf.tile(tf.expand_dims(labels, 0), [tf.shape(serialized)[0], 1]), name="classes")
        sigs = {
            S.DEFAULT_SERVING_SIGNATURE_DEF_KEY: sig({S.CLASSIFY_INPUTS: serialized},
                                                     {S.CLASSIFY_OUTPUT_CLASSES: classes,
                                                      S.CLASSIFY_OUTPUT_SCORES: scores}, S.CLASSIFY_METHOD_NAME),
        }
        sess.run(tf.global_variables_initializer())
        builder = tf.saved_model.builder.SavedModelBuilder(path)
        builder.add_meta_graph_and_variables(sess, [tf.saved_model.tag_constants.SERVING], signature_def_map=sigs)
        builder.save()


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    args = p.parse_args()
    half_plus_three(os.path.join(args.out, "half_plus_three", "00000123"))
    classifier(os.path.join(args.out, "classifier", "1"))
    with open(os.path.join(args.out, "models.json"), "w") as f:
        json.dump({"models": ["half_plus_three", "classifier"], "tensorflow": tf.__version__}, f)


if __name__ == "__main__":
    main()
