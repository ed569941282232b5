"""Notebook 000 (BasicRNNCell(128) on MNIST rows, dynamic_rnn), as the notebook wrote it, in
tf.compat.v1 graph mode. Differences from the notebook, all needed for a comparison: seeds
(tf.set_random_seed, np.random.seed), a fixed number of steps on TF1 next_batch batches (the
notebook's own Dataset class re-fed the first 128 images), and the outputs harness.py lists."""
import tensorflow.compat.v1 as tf

from rnnport_oracle import harness

learning_rate = 0.001
total_epoch = 30
batch_size = 128
n_input = 28
n_step = 28
n_hidden = 128
n_class = 10


def build(seed, variant=None, rnn=("rnn", n_hidden, 1, False)):
    tf.disable_v2_behavior()  # graph mode, VariableV2 (ref) variables, as in the notebook
    tf.set_random_seed(seed)
    X = tf.placeholder(tf.float32, [None, n_step, n_input], name="input_X")
    Y = tf.placeholder(tf.float32, [None, n_class], name="output_Y")
    kind, units, layers, bidirectional = rnn
    width = units * (2 if bidirectional else 1)
    W = tf.Variable(tf.random_normal([width, n_class], name="weight_W"))
    b = tf.Variable(tf.random_normal([n_class], name="bias_b"))
    if not bidirectional:
        cell = harness.make_cell(kind, units, layers)  # the notebook: tf.nn.rnn_cell.BasicRNNCell(n_hidden)
        outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
        cells = [cell]
    else:
        cells = [harness.make_cell(kind, units, layers), harness.make_cell(kind, units, layers)]
        (out_fw, out_bw), _ = tf.nn.bidirectional_dynamic_rnn(cells[0], cells[1], X, dtype=tf.float32)
        outputs = tf.concat([out_fw, out_bw], 2)
    outputs = tf.transpose(outputs, [1, 0, 2])
    outputs = outputs[-1]
    model = tf.matmul(outputs, W) + b
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=model, labels=Y))
    opt = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
    return {"X": X, "Y": Y, "logits": model, "probabilities": tf.nn.softmax(model, name="probabilities"),
            "classes": tf.argmax(model, 1, name="classes"), "cost": cost, "opt": opt,
            "model_vars": [W, b] + [w for c in cells for w in c.weights], "input_key": "input_X", "feed_shape": [n_step, n_input],
            "batch_size": batch_size}


def main():
    args = harness.parse_args(__doc__)
    rnn = harness.spec(args, "rnn", n_hidden)
    harness.run_mnist(args, build(args.seed, rnn=rnn), "mnist-rnn")


if __name__ == "__main__":
    main()
