"""The dtype matrix of rnnport's tensor I/O (issue 23), with Python's TensorFlow as the judge.

export --out DIR: one identity SavedModel per dtype, DIR/dt_<dtype>/1 (input "x" [None] of the dtype, output "y",
  "y_bytes" for strings so that REST answers them as base64), and DIR/values.json: each dtype's extremes.
check --grpc HOST:PORT --grpc-content HOST:PORT --rest URL --out FILE: sends each model its extremes through REST
  rows and columns and through gRPC with typed fields and with tensor_content, reads every answer back into numpy
  (json + numpy for REST, tf.make_ndarray for gRPC) and compares with the values sent, bit for bit. --grpc is a
  server answering with typed fields (TF Serving's default: the check also reads float_val, int64_val, ... as TF
  Serving's Python clients do); --grpc-content one answering with tensor_content
  (--enable_serialization_as_tensor_content). Dtypes the server refuses are recorded with its messages.
"""
import argparse
import base64
import json
import math
import os
import urllib.error
import urllib.request

import grpc
import numpy as np
import tensorflow as tf
from tensorflow.core.framework import tensor_pb2
from tensorflow_serving.apis import predict_pb2
from tensorflow_serving.apis import prediction_service_pb2_grpc

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8", "uint16",
          "uint32", "uint64", "bool", "string"]


def np_dtype(name):
    return tf.as_dtype(name).as_numpy_dtype if name != "string" else object


def values(name):
    """The extremes sent for a dtype, as a numpy array."""
    if name in ("float16", "bfloat16", "float32", "float64"):
        d = tf.as_dtype(name)
        t = np_dtype(name)
        bits = {"float16": 16, "bfloat16": 16, "float32": 32, "float64": 64}[name]
        # the smallest subnormal: bits 0...01
        sub = np.array([1], dtype={16: np.uint16, 32: np.uint32, 64: np.uint64}[bits]).view(t)[0]
        return np.array([d.min, d.max, -0.0, sub, -sub, float("nan"), float("inf"), float("-inf"), 1.0, 0.1], dtype=t)
    if name == "bool":
        return np.array([True, False, True])
    if name == "string":
        return np.array([b"", b"\xff\xfe\x00\x80", "h\u00e9llo".encode("utf-8"), b"plain"], dtype=object)
    d = tf.as_dtype(name)
    v = [d.min, d.max, 0, 1]
    if name == "int64":
        v += [2 ** 53 + 1, 2 ** 53 - 1, -(2 ** 53 + 1), 9007199254740993]
    if name == "uint64":
        v += [2 ** 63, 2 ** 53 + 1]
    return np.array(v, dtype=np_dtype(name))


def export(out):
    os.makedirs(out, exist_ok=True)
    for name in DTYPES:
        dt = tf.string if name == "string" else tf.as_dtype(name)
        key = "y_bytes" if name == "string" else "y"

        class Identity(tf.Module):
            @tf.function(input_signature=[tf.TensorSpec([None], dt, name="x")])
            def serve(self, x):
                return {key: tf.identity(x)}

        m = Identity()
        tf.saved_model.save(m, os.path.join(out, "dt_" + name, "1"), signatures={"serving_default": m.serve})
    print("exported %d identity models to %s" % (len(DTYPES), out))


def bits(a, name):
    """Elements as comparable bit patterns (strings as their bytes)."""
    a = np.asarray(a)
    if name == "string":
        return [bytes(x) for x in a.ravel()]
    if name == "bool":
        return a.astype(np.uint8).tolist()
    size = np.dtype(np_dtype(name)).itemsize
    return a.astype(np_dtype(name)).view({1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}[size]).tolist()


def to_json_value(x, name):
    if name == "string":
        return {"b64": base64.b64encode(bytes(x)).decode("ascii")}
    if name == "bool":
        return bool(x)
    if name in ("float16", "bfloat16", "float32", "float64"):
        return float(x)  # json.dumps writes NaN, Infinity, -Infinity, as TF Serving reads them
    return int(x)


def from_json(v, name):
    if name == "string":
        return np.array([base64.b64decode(x["b64"]) for x in v], dtype=object)
    if name in ("float16", "bfloat16"):
        return np.array(v, dtype=np.float64).astype(np.float32).astype(np_dtype(name))
    return np.array(v, dtype=np_dtype(name))


def rest(url, model, body):
    req = urllib.request.Request(url + "/v1/models/" + model + ":predict", data=json.dumps(body).encode("utf-8"),
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, json.loads(r.read().decode("utf-8"))
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read().decode("utf-8"))


TYPED = {"float16": "half_val", "bfloat16": "half_val", "float32": "float_val", "float64": "double_val",
         "int8": "int_val", "int16": "int_val", "int32": "int_val", "uint8": "int_val", "uint16": "int_val",
         "int64": "int64_val", "uint32": "uint32_val", "uint64": "uint64_val", "bool": "bool_val",
         "string": "string_val"}


def typed_proto(a, name):
    """A TensorProto of the values in the dtype's typed field (not tensor_content)."""
    dt = tf.string if name == "string" else tf.as_dtype(name)
    p = tensor_pb2.TensorProto(dtype=dt.as_datatype_enum)
    p.tensor_shape.dim.add(size=len(a))
    field = getattr(p, TYPED[name])
    if name in ("float16", "bfloat16"):
        field.extend(int(x) for x in a.view(np.uint16))
    elif name == "string":
        field.extend(bytes(x) for x in a)
    elif name == "bool":
        field.extend(bool(x) for x in a)
    elif name in ("float32", "float64"):
        field.extend(float(x) for x in a)
    else:
        field.extend(int(x) for x in a)
    return p


def content_proto(a, name):
    """A TensorProto of the values in tensor_content (little-endian element bytes; strings: string_val)."""
    if name == "string":
        return tf.make_tensor_proto(a, dtype=tf.string)
    p = tensor_pb2.TensorProto(dtype=tf.as_dtype(name).as_datatype_enum, tensor_content=a.tobytes())
    p.tensor_shape.dim.add(size=len(a))
    return p


def grpc_call(stub, model, proto):
    req = predict_pb2.PredictRequest()
    req.model_spec.name = model
    req.inputs["x"].CopyFrom(proto)
    try:
        return stub.Predict(req, timeout=60), None
    except grpc.RpcError as e:
        return None, (e.code().name, e.details())


def check(args):
    typed_stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(args.grpc))
    content_stub = prediction_service_pb2_grpc.PredictionServiceStub(grpc.insecure_channel(args.grpc_content))
    report = {}
    for name in DTYPES:
        model = "dt_" + name
        key = "y_bytes" if name == "string" else "y"
        a = values(name)
        want = bits(a, name)
        r = {}
        jv = [to_json_value(x, name) for x in a]
        for path, body in (("rest_rows", {"instances": jv}), ("rest_columns", {"inputs": jv})):
            status, ans = rest(args.rest, model, body)
            if status != 200:
                r[path] = {"ok": False, "status": status, "error": ans.get("error")}
                continue
            got = from_json(ans["predictions" if path == "rest_rows" else "outputs"], name)
            r[path] = {"ok": bits(got, name) == want, "status": status,
                       "got": [str(x) for x in bits(got, name)], "want": [str(x) for x in want]}
        for path, proto in (("grpc_typed", typed_proto(a, name)), ("grpc_content", content_proto(a, name))):
            for answer, stub in (("typed_answer", typed_stub), ("content_answer", content_stub)):
                resp, err = grpc_call(stub, model, proto)
                k = path + "/" + answer
                if err:
                    r[k] = {"ok": False, "code": err[0], "error": err[1]}
                    continue
                out = resp.outputs[key]
                got = tf.make_ndarray(out)
                ok = got.dtype == (np.object_ if name == "string" else np_dtype(name)) and bits(got, name) == want
                if answer == "typed_answer":
                    # TF Serving's clients read the typed fields: the answer must carry them (AsProtoField)
                    field = list(getattr(out, TYPED[name]))
                    ok = ok and len(field) == len(a) and not out.tensor_content
                    if name == "float32":
                        ok = ok and [np.float32(x).view(np.uint32) for x in field] == want
                else:
                    ok = ok and (name == "string" or len(out.tensor_content) == a.size * np.dtype(np_dtype(name)).itemsize)
                r[k] = {"ok": bool(ok), "got": [str(x) for x in bits(got, name)], "want": [str(x) for x in want]}
        report[name] = r
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    print("checked %d dtypes" % len(DTYPES))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    e = sub.add_parser("export")
    e.add_argument("--out", required=True)
    c = sub.add_parser("check")
    c.add_argument("--grpc", required=True)
    c.add_argument("--grpc-content", required=True)
    c.add_argument("--rest", required=True)
    c.add_argument("--out", required=True)
    args = p.parse_args()
    if args.cmd == "export":
        export(args.out)
    else:
        check(args)


if __name__ == "__main__":
    main()
