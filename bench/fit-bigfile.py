"""Inputs for bench/fit-bigfile.sh (not a test): the MNIST training images as float32 [n * times, 28, 28] x.npy
(pixels float32(p) * float32(1/255), the training set repeated `times` times, written streamed, never the whole
array in memory), their labels y.npy (int64), and a Keras model file (tf-keras 2.18 model.to_json()).

  python bench/fit-bigfile.py MNIST_DIR OUT_DIR TIMES      (the parity venv's python: it writes the model with Keras)
  python bench/fit-bigfile.py --keras OUT_DIR EPOCH_JSON   Keras' own fit on the same files (np.load mmap_mode='r'),
                                                           one epoch, its seconds as JSON
"""
import array
import gzip
import json
import os
import struct
import sys
import time


def npy_header(descr, shape):
    h = "{'descr': '%s', 'fortran_order': False, 'shape': %s, }" % (descr, "(" + ", ".join(map(str, shape))
                                                                     + ("," if len(shape) == 1 else "") + ")")
    h += " " * (63 - (10 + len(h)) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode("latin1")


def model():
    os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
    import tf_keras as keras
    return keras.Sequential([keras.Input(shape=(28, 28), name="pixels"), keras.layers.GRU(16),
                             keras.layers.Dense(10, activation="softmax")])


def write(mnist, out, times):
    raw = gzip.open(os.path.join(mnist, "train-images-idx3-ubyte.gz")).read()
    n = struct.unpack(">i", raw[4:8])[0]
    s = struct.unpack("f", struct.pack("f", 1.0 / 255.0))[0]
    data = array.array("f", (b * s for b in raw[16:])).tobytes()
    labels = gzip.open(os.path.join(mnist, "train-labels-idx1-ubyte.gz")).read()[8:]
    with open(os.path.join(out, "x.npy"), "wb") as f:
        f.write(npy_header("<f4", (n * times, 28, 28)))
        for _ in range(times):
            f.write(data)
    with open(os.path.join(out, "y.npy"), "wb") as f:
        f.write(npy_header("<i8", (n * times,)))
        y = array.array("q", list(labels)).tobytes()
        for _ in range(times):
            f.write(y)
    with open(os.path.join(out, "model.json"), "w") as f:
        f.write(model().to_json())


def keras_fit(out, result, batch):
    import numpy
    import tensorflow as tf
    m = model()
    m.compile(loss="sparse_categorical_crossentropy", optimizer="adam")
    x = numpy.load(os.path.join(out, "x.npy"), mmap_mode="r")
    y = numpy.load(os.path.join(out, "y.npy"), mmap_mode="r")
    t = time.time()
    m.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    with open(result, "w") as f:
        json.dump({"seconds": time.time() - t, "rows": int(len(x)), "tensorflow": tf.__version__}, f)


if __name__ == "__main__":
    if sys.argv[1] == "--keras":
        keras_fit(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        write(sys.argv[1], sys.argv[2], int(sys.argv[3]))
