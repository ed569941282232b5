"""A Keras model and its data, as a Python user has them: scikit-learn's digits (8x8 images, each read as 8 time steps
of 8 pixels) and a GRU classifier, written as digits.json (model.to_json(), tf-keras 2.18), digits.npz (1,500 rows)
and digits-test.npz (the other 297). See docs/fit.md."""
import os

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
import numpy
import tf_keras as keras
from sklearn.datasets import load_digits

d = load_digits()
x = (d.images / 16.0).astype("float32")
numpy.savez("digits.npz", x=x[:1500], y=d.target[:1500])
numpy.savez("digits-test.npz", x=x[1500:], y=d.target[1500:])
model = keras.Sequential([keras.Input(shape=(8, 8), name="x"), keras.layers.GRU(32),
                          keras.layers.Dense(10, activation="softmax")])
with open("digits.json", "w") as f:
    f.write(model.to_json())
