"""TensorFlow Serving's own Python client (tensorflow-serving-api) against `rnnport serve`: for every
model under --models (<name>/<version>/saved_model.pb), PredictionService.Predict with
tf.make_tensor_proto inputs, GetModelMetadata and ModelService.GetModelStatus over gRPC, the same
inputs through the REST API, and Python's own SavedModel call; writes what each gave and whether they
agree as JSON. Exits non-zero on a disagreement."""
import argparse
import json
import os
import urllib.request

import grpc
import numpy
import tensorflow as tf
from tensorflow_serving.apis import get_model_metadata_pb2
from tensorflow_serving.apis import get_model_status_pb2
from tensorflow_serving.apis import model_service_pb2_grpc
from tensorflow_serving.apis import predict_pb2
from tensorflow_serving.apis import prediction_service_pb2_grpc


def example_inputs(spec_by_key, rows, rng):
    """Deterministic inputs for a signature: floats in [0, 1), ints in [0, 1000)."""
    out = {}
    for key, (dtype, shape) in spec_by_key.items():
        dims = [rows] + [d for d in shape[1:]]
        if dtype.is_integer:
            out[key] = rng.randint(0, 1000, size=dims).astype(dtype.as_numpy_dtype)
        else:
            out[key] = rng.rand(*dims).astype(dtype.as_numpy_dtype)
    return out


def rest_predict(url, inputs):
    body = json.dumps({"inputs": {k: v.tolist() for k, v in inputs.items()}}).encode()
    req = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())["outputs"]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--grpc", required=True, help="host:port of the gRPC API")
    p.add_argument("--rest", required=True, help="base URL of the REST API")
    p.add_argument("--models", required=True, help="folder of <name>/<version>/ SavedModels being served")
    p.add_argument("--grpc-unix", help="also call Predict and GetModelStatus on this Unix socket (TF Serving's "
                   "--grpc_socket_path), which must answer exactly as the TCP port does")
    p.add_argument("--grpc-tls-ca", help="PEM certificate to trust: call gRPC over TLS (TF Serving's "
                   "--ssl_config_file), the server's name being localhost")
    p.add_argument("--out", required=True)
    args = p.parse_args()

    def open_channel(target):
        if not args.grpc_tls_ca:
            return grpc.insecure_channel(target)
        with open(args.grpc_tls_ca, "rb") as f:
            creds = grpc.ssl_channel_credentials(root_certificates=f.read())
        return grpc.secure_channel(target, creds, options=[("grpc.ssl_target_name_override", "localhost")])

    channel = open_channel(args.grpc)
    unix = None
    if args.grpc_unix:
        unix_channel = open_channel("unix:" + args.grpc_unix)
        unix = (prediction_service_pb2_grpc.PredictionServiceStub(unix_channel),
                model_service_pb2_grpc.ModelServiceStub(unix_channel))
    predictions = prediction_service_pb2_grpc.PredictionServiceStub(channel)
    models = model_service_pb2_grpc.ModelServiceStub(channel)
    rng = numpy.random.RandomState(0)
    report = {"tensorflow": tf.__version__, "models": {}}
    ok = True
    for name in sorted(os.listdir(args.models)):
        versions = sorted(int(v) for v in os.listdir(os.path.join(args.models, name)) if v.isdigit())
        path = os.path.join(args.models, name, str(versions[-1]))
        r = {}
        # metadata and status over gRPC
        mreq = get_model_metadata_pb2.GetModelMetadataRequest()
        mreq.model_spec.name = name
        mreq.metadata_field.append("signature_def")
        meta = predictions.GetModelMetadata(mreq, timeout=60)
        sigmap = get_model_metadata_pb2.SignatureDefMap()
        meta.metadata["signature_def"].Unpack(sigmap)
        sig = sigmap.signature_def["serving_default"]
        r["metadata_signatures"] = sorted(sigmap.signature_def.keys())
        r["metadata_version"] = meta.model_spec.version.value
        sreq = get_model_status_pb2.GetModelStatusRequest()
        sreq.model_spec.name = name
        status = models.GetModelStatus(sreq, timeout=60)
        r["status"] = [(s.version, get_model_status_pb2.ModelVersionStatus.State.Name(s.state))
                       for s in status.model_version_status]
        # inputs from the signature gRPC reported
        specs = {k: (tf.dtypes.as_dtype(t.dtype), [d.size for d in t.tensor_shape.dim]) for k, t in sig.inputs.items()}
        inputs = example_inputs(specs, 3, rng)
        # gRPC Predict with tf.make_tensor_proto
        preq = predict_pb2.PredictRequest()
        preq.model_spec.name = name
        preq.model_spec.signature_name = "serving_default"
        for k, v in inputs.items():
            preq.inputs[k].CopyFrom(tf.make_tensor_proto(v))
        presp = predictions.Predict(preq, timeout=60)
        grpc_out = {k: tf.make_ndarray(v) for k, v in presp.outputs.items()}
        r["predict_model_spec"] = [presp.model_spec.name, presp.model_spec.version.value, presp.model_spec.signature_name]
        unix_equal = True
        if unix is not None:
            # the same request on the Unix socket: the same session on the same values, bit for bit
            uresp = unix[0].Predict(preq, timeout=60)
            unix_out = {k: tf.make_ndarray(v) for k, v in uresp.outputs.items()}
            unix_equal = (set(unix_out) == set(grpc_out) and uresp.model_spec == presp.model_spec
                          and all(unix_out[k].dtype == grpc_out[k].dtype and numpy.array_equal(unix_out[k], grpc_out[k])
                                  for k in grpc_out))
            ustatus = unix[1].GetModelStatus(sreq, timeout=60)
            unix_equal = unix_equal and ustatus == status
            r["unix_equal"] = unix_equal
        # the same over REST, and Python's own SavedModel call
        rest_out = rest_predict(args.rest + "/v1/models/" + name + ":predict", inputs)
        fn = tf.saved_model.load(path).signatures["serving_default"]
        py_out = {k: v.numpy() for k, v in fn(**{k: tf.constant(v) for k, v in inputs.items()}).items()}
        r["outputs"] = sorted(grpc_out.keys())
        agree = set(grpc_out) == set(py_out) == set(rest_out)
        diffs = {}
        for k in py_out:
            g, rr, py = grpc_out.get(k), numpy.asarray(rest_out.get(k)), py_out[k]
            if g is None or g.shape != py.shape or rr.shape != py.shape or g.dtype != py.dtype:
                agree = False
                diffs[k] = "shape/dtype: grpc %s %s rest %s python %s %s" % (
                    None if g is None else g.shape, None if g is None else g.dtype, rr.shape, py.shape, py.dtype)
                continue
            d_grpc_py = float(numpy.max(numpy.abs(g.astype(numpy.float64) - py.astype(numpy.float64))))
            d_grpc_rest = float(numpy.max(numpy.abs(g.astype(numpy.float64) - rr.astype(numpy.float64))))
            diffs[k] = {"grpc_vs_python": d_grpc_py, "grpc_vs_rest": d_grpc_rest}
            # gRPC and REST run the same session on the same values: equal to JSON's float printing;
            # Python's own call runs the same kernels: equal to float rounding
            if d_grpc_rest > 1e-6 or d_grpc_py > 1e-5:
                agree = False
        r["diffs"] = diffs
        agree = agree and unix_equal
        r["agree"] = agree
        ok = ok and agree and r["status"] and r["status"][-1][1] == "AVAILABLE"
        report["models"][name] = r
    report["ok"] = bool(ok)
    with open(args.out, "w") as f:
        json.dump(report, f, indent=1)
    if not ok:
        raise SystemExit("disagreement: see " + args.out)


if __name__ == "__main__":
    main()
