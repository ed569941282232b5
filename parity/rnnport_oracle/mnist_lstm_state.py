"""Notebook 002 (input [None, 784] reshaped to [-1, 28, 28], BasicLSTMCell(100) under dynamic_rnn, the
final state's h, prediction = softmax(h @ W + b), Adam 1e-4, batch 50), as the notebook wrote it: its
loss is softmax_cross_entropy_with_logits(logits=prediction), a softmax applied twice (variant
faithful); variant fixed feeds the logits instead. Plus seeds and the outputs harness.py lists."""
import tensorflow.compat.v1 as tf

from rnnport_oracle import harness

n_inputs = 28
max_time = 28
lstm_size = 100
n_classes = 10
batch_size = 50


def build(seed, variant="faithful", rnn=("lstm", lstm_size, 1, False)):
    tf.disable_v2_behavior()
    tf.set_random_seed(seed)
    x = tf.placeholder(tf.float32, [None, 784])
    y = tf.placeholder(tf.float32, [None, 10])
    kind, units, layers, bidirectional = rnn
    weights = tf.Variable(tf.truncated_normal([units * (2 if bidirectional else 1), n_classes], stddev=0.1))
    biases = tf.Variable(tf.constant(0.1, shape=[n_classes]))
    cells = []

    def RNN(X, weights, biases):
        inputs = tf.reshape(X, [-1, max_time, n_inputs])
        if not bidirectional:
            lstm_cell = harness.make_cell(kind, units, layers)  # the notebook: BasicLSTMCell(lstm_size)
            cells.append([lstm_cell])
            outputs, final_state = tf.nn.dynamic_rnn(lstm_cell, inputs, dtype=tf.float32)
            h = harness.final_h(final_state)  # the notebook: final_state[1]
        else:
            fw, bw = harness.make_cell(kind, units, layers), harness.make_cell(kind, units, layers)
            cells.append([fw, bw])
            _, (state_fw, state_bw) = tf.nn.bidirectional_dynamic_rnn(fw, bw, inputs, dtype=tf.float32)
            h = tf.concat([harness.final_h(state_fw), harness.final_h(state_bw)], 1)
        logits = tf.matmul(h, weights) + biases
        cells.append(logits)
        results = tf.nn.softmax(logits)
        return results

    prediction = RNN(x, weights, biases)
    lstm_cell, logits = cells
    fed = prediction if variant == "faithful" else logits
    cross_entropy = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(logits=fed, labels=y))
    train_step = tf.train.AdamOptimizer(1e-4).minimize(cross_entropy)
    return {"X": x, "Y": y, "logits": logits, "probabilities": prediction,
            "classes": tf.argmax(logits, 1, name="classes"), "cost": cross_entropy, "opt": train_step,
            "model_vars": [weights, biases] + [w for c in lstm_cell for w in c.weights], "input_key": "x", "feed_shape": [784],
            "batch_size": batch_size}


def main():
    args = harness.parse_args(__doc__, variants=["faithful", "fixed"])
    name = "mnist-lstm-state" if args.variant == "faithful" else "mnist-lstm-state-fixed"
    harness.run_mnist(args, build(args.seed, args.variant, harness.spec(args, "lstm", lstm_size)), name)


if __name__ == "__main__":
    main()
