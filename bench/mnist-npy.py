"""The MNIST test images as float32 [n * times, 784] .npy files for the predict benchmarks (not a test).

Pixels are float32(p) * float32(1/255), as the notebook scales them; each file repeats the test set
`times` times, written streamed (never the whole array in memory).
Usage: python3 bench/mnist-npy.py OUT_DIR NAME=TIMES...   (e.g. test=1 big=64; run from the repo root,
with MNIST in ./data). Standard library only.
"""
import array
import gzip
import struct
import sys

out = sys.argv[1]
raw = gzip.open("data/mnist/t10k-images-idx3-ubyte.gz").read()
n = struct.unpack(">i", raw[4:8])[0]
s = struct.unpack("f", struct.pack("f", 1.0 / 255.0))[0]
data = array.array("f", (b * s for b in raw[16:])).tobytes()
for spec in sys.argv[2:]:
    name, times = spec.split("=")
    h = "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, 784), }" % (n * int(times))
    h += " " * (63 - (10 + len(h)) % 64) + "\n"
    with open("%s/%s.npy" % (out, name), "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h.encode("latin1"))
        for _ in range(int(times)):
            f.write(data)
