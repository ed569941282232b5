"""rnnport's Python TensorFlow oracle: faithful tf.compat.v1 ports of the notebooks."""
import os

# Before TensorFlow is imported: Keras 2 (tf-keras) so the v1 RNN cells work, quiet C++ logs.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
