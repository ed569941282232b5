"""TFRecord files as TensorFlow writes and reads them, for rnnport's TFRecord framer tests.

write --out DIR: DIR/plain.tfrecord and DIR/gzip.tfrecord (tf.io.TFRecordWriter, no compression and GZIP),
  each holding the same records: empty, one byte, 255 bytes of every value, 100,000 pseudo-random bytes, and
  a serialized tf.train.Example; DIR/records.json lists them (base64).
read --out J FILE...: every record of each FILE through tf.data.TFRecordDataset (which checks both masked
  CRC-32Cs; GZIP for names ending in .gz), as base64 lists in J, by file name.
"""
import argparse
import base64
import json
import os

import numpy as np
import tensorflow as tf


def records():
    rng = np.random.RandomState(23)
    ex = tf.train.Example(features=tf.train.Features(feature={
        "x": tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, -0.0, float("nan")]))}))
    return [b"", b"\x00", bytes(range(256))[1:], rng.randint(0, 256, size=100_000).astype(np.uint8).tobytes(),
            ex.SerializeToString()]


def write(out):
    os.makedirs(out, exist_ok=True)
    rs = records()
    for name, compression in (("plain", None), ("gzip", "GZIP")):
        with tf.io.TFRecordWriter(os.path.join(out, name + ".tfrecord"), options=compression) as w:
            for r in rs:
                w.write(r)
    with open(os.path.join(out, "records.json"), "w") as f:
        json.dump([base64.b64encode(r).decode("ascii") for r in rs], f)


def read(paths, out):
    got = {}
    for path in paths:
        ds = tf.data.TFRecordDataset([path], compression_type="GZIP" if path.endswith(".gz") else None)
        got[os.path.basename(path)] = [base64.b64encode(r.numpy()).decode("ascii") for r in ds]
    with open(out, "w") as f:
        json.dump(got, f)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("mode", choices=["write", "read"])
    p.add_argument("--out", required=True)
    p.add_argument("files", nargs="*")
    a = p.parse_intermixed_args()
    if a.mode == "write":
        write(a.out)
    else:
        read(a.files, a.out)


if __name__ == "__main__":
    main()
