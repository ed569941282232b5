"""Notebook 000 (BasicRNNCell(128) on MNIST rows), as the notebook wrote it, in tf.compat.v1 graph mode.

Differences from the notebook, all needed for a comparison: seeds (tf.set_random_seed, np.random.seed),
a fixed number of steps on TF1 next_batch batches (the notebook's own Dataset class re-fed the first 128
images), and the outputs the parity harness reads (harness.py).
"""
import os

import numpy
import tensorflow.compat.v1 as tf

from rnnport_oracle import harness, mnist_data


learning_rate = 0.001
batch_size = 128
n_input = 28
n_step = 28
n_hidden = 128
n_class = 10


def build(seed):
    """The notebook's graph, in the notebook's words (plus seeds and the serving outputs)."""
    tf.disable_v2_behavior()  # graph mode, VariableV2 (ref) variables, as in the notebook
    tf.set_random_seed(seed)
    X = tf.placeholder(tf.float32, [None, n_step, n_input], name="input_X")
    Y = tf.placeholder(tf.float32, [None, n_class], name="output_Y")
    W = tf.Variable(tf.random_normal([n_hidden, n_class], name="weight_W"))
    b = tf.Variable(tf.random_normal([n_class], name="bias_b"))
    cell = tf.nn.rnn_cell.BasicRNNCell(n_hidden)
    outputs, states = tf.nn.dynamic_rnn(cell, X, dtype=tf.float32)
    outputs = tf.transpose(outputs, [1, 0, 2])
    outputs = outputs[-1]
    model = tf.matmul(outputs, W) + b
    cost = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits_v2(logits=model, labels=Y))
    opt = tf.train.AdamOptimizer(learning_rate=learning_rate).minimize(cost)
    model_vars = [W, b] + cell.weights
    probabilities = tf.nn.softmax(model, name="probabilities")
    classes = tf.argmax(model, 1, name="classes")
    return X, Y, model, cost, opt, probabilities, classes, model_vars


def main():
    args = harness.parse_args(__doc__)
    X, Y, model, cost, opt, probabilities, classes, model_vars = build(args.seed)
    numpy.random.seed(args.seed)
    mnist = mnist_data.read_data_sets(args.data_dir)

    os.makedirs(args.out, exist_ok=True)
    harness.write_graph(tf.get_default_graph(), os.path.join(args.out, "graph.pbtxt"))
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        harness.save_checkpoint(sess, os.path.join(args.out, "initial"))
        losses = []
        for step in range(args.steps):
            batch_xs, batch_ys = mnist.train.next_batch(batch_size, shuffle=(args.order == "shuffle"))
            batch_xs = batch_xs.reshape([batch_size, n_step, n_input])
            _, cost_val = sess.run([opt, cost], feed_dict={X: batch_xs, Y: batch_ys})
            losses.append(cost_val)
        harness.write_json(os.path.join(args.out, "losses.json"), {"losses": harness.float_list(losses)})
        harness.save_checkpoint(sess, os.path.join(args.out, "final"))
        test_xs = mnist.test.images[:args.test_count].reshape(-1, n_step, n_input)
        logits = sess.run(model, feed_dict={X: test_xs})
        harness.write_json(os.path.join(args.out, "test_logits.json"), {"logits": harness.float_list(logits)})
        harness.export_savedmodel(sess, os.path.join(args.out, "savedmodel", "1"), X,
                                  {"logits": model, "probabilities": probabilities, "classes": classes}, model_vars)
    harness.write_json(os.path.join(args.out, "meta.json"), harness.meta(args, {"model": "mnist-rnn"}))


if __name__ == "__main__":
    main()
