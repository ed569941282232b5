"""The dtype matrix of rnnport's file formats (issue 23), judged by Python's TensorFlow and numpy.

Reuses dtype_matrix (the serving matrix): its identity SavedModels (input 'x' [None] of each of the 14 dtypes,
output 'y', 'y_bytes' for strings) and its extremes (min and max; 2^53 +- 1 for int64; 2^63 and 2^53 + 1 for
uint64 with its max 2^64 - 1; -0.0, the smallest subnormal, NaN and +-Infinity for floats; empty and non-UTF-8
bytes for strings).

export --out DIR: the models in DIR/models/dt_<dtype>/1; the inputs as numpy and Python write them,
DIR/inputs/<dtype>.npy (np.save, for the dtypes numpy has) and DIR/inputs/<dtype>.jsonl (json.dumps of
{"x": value} per line, {"b64": ...} for bytes); and DIR/expected.json: per dtype, the inputs' bits and the outputs'
bits as TensorFlow computed them (each model run here, its answer read with tf.make_ndarray), as decimal strings
(strings: base64).

check --out DIR --outputs OUT: reads every output file rnnport wrote into OUT (<dtype>.<anything>.npy with
np.load, <dtype>.<anything>.jsonl with json) and compares the values with the expected bits; prints one line per
file and exits 1 on any difference.
"""
import argparse
import base64
import json
import os
import sys

import numpy as np
import tensorflow as tf

from rnnport_oracle import dtype_matrix

DTYPES = {name: (tf.string if name == "string" else tf.as_dtype(name)) for name in dtype_matrix.DTYPES}
BITS = {1: np.uint8, 2: np.uint16, 4: np.uint32, 8: np.uint64}


def out_key(name):
    return "y_bytes" if name == "string" else "y"


def bits(name, a):
    if name == "string":
        return [base64.b64encode(bytes(x)).decode("ascii") for x in a.reshape(-1)]
    a = np.ascontiguousarray(a)
    return [str(int(x)) for x in a.view(BITS[a.dtype.itemsize]).reshape(-1)]


def export(out):
    models = os.path.join(out, "models")
    dtype_matrix.export(models)
    expected = {}
    os.makedirs(os.path.join(out, "inputs"), exist_ok=True)
    for name, dt in DTYPES.items():
        x = dtype_matrix.values(name)
        loaded = tf.saved_model.load(os.path.join(models, "dt_" + name, "1")).signatures["serving_default"]
        y = tf.make_ndarray(tf.make_tensor_proto(loaded(x=tf.constant(x, dtype=dt))[out_key(name)]))
        expected[name] = {"inputs": bits(name, x), "outputs": bits(name, y), "count": int(x.shape[0])}
        if name not in ("bfloat16", "string"):
            np.save(os.path.join(out, "inputs", name + ".npy"), x)
        with open(os.path.join(out, "inputs", name + ".jsonl"), "w") as f:
            for v in x:
                f.write(json.dumps({"x": dtype_matrix.to_json_value(v, name)}) + "\n")
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def read_jsonl(name, path):
    vals = []
    with open(path) as f:
        for line in f:
            if line.strip():
                vals.append(json.loads(line)[out_key(name)])
    if name == "string":
        return np.array([base64.b64decode(v["b64"]) if isinstance(v, dict) else v.encode("utf-8") for v in vals],
                        dtype=object)
    npt = DTYPES[name].as_numpy_dtype
    if name in ("int64", "uint64", "uint32", "int32"):
        return np.array([int(v) for v in vals], dtype=npt)
    return np.array(vals, dtype=np.float64 if DTYPES[name].is_floating else None).astype(npt)


def check(out, outputs):
    with open(os.path.join(out, "expected.json")) as f:
        expected = json.load(f)
    bad = 0
    files = sorted(os.listdir(outputs))
    for fn in files:
        name, fmt, ext = fn.split(".")[0], fn.split(".")[1], fn.split(".")[-1]
        if ext not in ("npy", "jsonl"):
            continue
        path = os.path.join(outputs, fn)
        a = np.load(path, allow_pickle=False) if ext == "npy" else read_jsonl(name, path)
        if ext == "npy" and a.dtype != DTYPES[name].as_numpy_dtype:
            print(f"DIFF {fn}: numpy reads dtype {a.dtype}, expected {name}")
            bad += 1
            continue
        got = bits(name, a)
        want = expected[name]["outputs"]
        if got != want:
            print(f"DIFF {fn}: {got} != {want}")
            bad += 1
        else:
            print(f"same {fn}: {len(got)} values, bit for bit")
    print(f"checked {len(files)} files, {bad} different")
    return 1 if bad else 0


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("mode", choices=["export", "check"])
    p.add_argument("--out", required=True)
    p.add_argument("--outputs")
    args = p.parse_args()
    if args.mode == "export":
        export(args.out)
    else:
        sys.exit(check(args.out, args.outputs))


if __name__ == "__main__":
    main()
