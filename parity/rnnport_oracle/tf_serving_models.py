"""Exports small TF1 SavedModels shaped like TensorFlow Serving's test models, for rnnport serve's
tests (into --out, at test time; nothing binary is committed):

- half_plus_three/123: TF Serving's half_plus_two recipe with b = 3: tf.Example input parsed for
  feature "x" (FixedLenFeature [1] float32); serving_default predicts y = 0.5 x + 3 from the tensor
  "x" ([-1, 1], an Identity, not a placeholder); "tensorflow/serving/regress" and
  "tensorflow/serving/classify" take serialized tf.Examples; "regress_x2_to_y3" is a regress
  signature over a float tensor (as in TF Serving's model); "odd_dtype" declares DT_INT64 for the
  float tensor "x:0", a signature TF Serving loads the model with and fails only when it is used.
  Its assets.extra/tf_serving_warmup_requests is TF Serving's warm-up recipe (a TFRecord of
  PredictionLogs written with tf.io.TFRecordWriter and tensorflow_serving.apis): one Predict, one
  Classify, one Regress and one MultiInference (classify + regress) request.
- classifier/1: serving_default classifies tf.Examples with a float feature "x" ([2]) into three
  labels: outputs "classes" (DT_STRING [-1, 3]) and "scores" (softmax, DT_FLOAT [-1, 3]); "echo" returns
  its strings as "echo_bytes" and "echo"; "echo_twice" names one tensor as two outputs.

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
    write_warmup(path, "half_plus_three")


def write_warmup(path, name):
    """TF Serving's SavedModel warm-up file: assets.extra/tf_serving_warmup_requests."""
    from tensorflow_serving.apis import (classification_pb2, inference_pb2, input_pb2, model_pb2, predict_pb2,
                                         prediction_log_pb2, regression_pb2)

    def spec(signature):
        return model_pb2.ModelSpec(name=name, signature_name=signature)

    example = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[2.0]))}))
    inp = input_pb2.Input(example_list=input_pb2.ExampleList(examples=[example, example]))
    predict = predict_pb2.PredictRequest(model_spec=spec(S.DEFAULT_SERVING_SIGNATURE_DEF_KEY))
    predict.inputs["x"].CopyFrom(tf.make_tensor_proto([[1.0], [2.0]], dtype=tf.float32))
    classify = classification_pb2.ClassificationRequest(model_spec=spec(S.CLASSIFY_METHOD_NAME), input=inp)
    regress = regression_pb2.RegressionRequest(model_spec=spec(S.REGRESS_METHOD_NAME), input=inp)
    multi = inference_pb2.MultiInferenceRequest(input=inp, tasks=[
        inference_pb2.InferenceTask(model_spec=spec(S.CLASSIFY_METHOD_NAME), method_name=S.CLASSIFY_METHOD_NAME),
        inference_pb2.InferenceTask(model_spec=spec(S.REGRESS_METHOD_NAME), method_name=S.REGRESS_METHOD_NAME)])
    logs = [
        prediction_log_pb2.PredictionLog(predict_log=prediction_log_pb2.PredictLog(request=predict)),
        prediction_log_pb2.PredictionLog(classify_log=prediction_log_pb2.ClassifyLog(request=classify)),
        prediction_log_pb2.PredictionLog(regress_log=prediction_log_pb2.RegressLog(request=regress)),
        prediction_log_pb2.PredictionLog(multi_inference_log=prediction_log_pb2.MultiInferenceLog(request=multi)),
    ]
    os.makedirs(os.path.join(path, "assets.extra"), exist_ok=True)
    with tf.io.TFRecordWriter(os.path.join(path, "assets.extra", "tf_serving_warmup_requests")) as w:
        for log in logs:
            w.write(log.SerializeToString())


def classifier(path):
    with tf.Graph().as_default(), tf.Session() as sess:
        serialized = tf.placeholder(tf.string, name="tf_example", shape=[None])
        ex = tf.parse_example(serialized, {"x": tf.FixedLenFeature([2], dtype=tf.float32)})
        w = tf.Variable([[1.0, -1.0, 0.5], [0.0, 2.0, -0.5]], name="w")
        scores = tf.nn.softmax(tf.matmul(ex["x"], w), name="scores")
        labels = tf.constant(["cat", "dog", "bird"])
        classes = tf.identity(tf.tile(tf.expand_dims(labels, 0), [tf.shape(serialized)[0], 1]), name="classes")
        echo = tf.identity(serialized, name="echo")
        echo_bytes = tf.identity(serialized, name="echo_bytes")
        sigs = {
            S.DEFAULT_SERVING_SIGNATURE_DEF_KEY: sig({S.CLASSIFY_INPUTS: serialized},
                                                     {S.CLASSIFY_OUTPUT_CLASSES: classes,
                                                      S.CLASSIFY_OUTPUT_SCORES: scores}, S.CLASSIFY_METHOD_NAME),
            # strings back as they came: "echo_bytes" is binary for TF Serving's REST ({"b64": ...}), "echo" text
            "echo": sig({"in": serialized}, {"echo_bytes": echo_bytes, "echo": echo}, S.PREDICT_METHOD_NAME),
            # two outputs naming one tensor: TF Serving answers both; rnnport refuses this signature by name
            "echo_twice": sig({"in": serialized}, {"a": echo, "b": echo}, S.PREDICT_METHOD_NAME),
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
