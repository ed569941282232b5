"""Notebook 001 (BasicLSTMCell(128, forget_bias=1.0) with static_rnn over tf.unstack(x, 28, 1)), as the
notebook wrote it (tf.contrib.rnn is tf.nn.rnn_cell / tf.nn.static_rnn in tf.compat.v1), plus seeds and
the outputs harness.py lists."""
import tensorflow.compat.v1 as tf

from rnnport_oracle import harness


def build(seed, variant=None, rnn=("lstm", 128, 1, False)):
    tf.disable_v2_behavior()
    tf.set_random_seed(seed)
    x = tf.placeholder("float", [None, 28, 28])
    y = tf.placeholder("float", [None, 10])
    cells = []

    kind, units, layers, bidirectional = rnn

    def RNN(x):
        x = tf.unstack(x, 28, 1)
        if not bidirectional:
            lstm_cell = harness.make_cell(kind, units, layers)  # the notebook: rnn.BasicLSTMCell(128, forget_bias=1.0)
            cells.append([lstm_cell])
            outputs, states = tf.nn.static_rnn(lstm_cell, x, dtype=tf.float32)
        else:
            fw, bw = harness.make_cell(kind, units, layers), harness.make_cell(kind, units, layers)
            cells.append([fw, bw])
            outputs, _, _ = tf.nn.static_bidirectional_rnn(fw, bw, x, dtype=tf.float32)
        weight = tf.Variable(tf.random_normal([units * (2 if bidirectional else 1), 10]))
        bias = tf.Variable(tf.random_normal([10]))
        cells.extend([weight, bias])
        return tf.matmul(outputs[-1], weight) + bias

    preds = RNN(x)
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=preds, labels=y))
    optimizer = tf.train.AdamOptimizer(learning_rate=0.001).minimize(cost)
    lstm_cell, weight, bias = cells
    return {"X": x, "Y": y, "logits": preds, "probabilities": tf.nn.softmax(preds, name="probabilities"),
            "classes": tf.argmax(preds, 1, name="classes"), "cost": cost, "opt": optimizer,
            "model_vars": [w for c in lstm_cell for w in c.weights] + [weight, bias], "input_key": "x", "feed_shape": [28, 28],
            "batch_size": 128}


def main():
    args = harness.parse_args(__doc__)
    harness.run_mnist(args, build(args.seed, rnn=harness.spec(args, "lstm", 128)), "mnist-lstm")


if __name__ == "__main__":
    main()
