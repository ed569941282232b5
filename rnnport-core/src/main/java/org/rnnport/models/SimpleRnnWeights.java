package org.rnnport.models;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.rnnport.nn.Initializers;
import org.rnnport.nn.KerasInitializers;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.nn.Tf1Variables;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Seed 003a: Keras {@code SimpleRNN(units=2, use_bias=True, return_sequences=True)} built for input
 * dim 5: kernel (5, 2) glorot_uniform, recurrent_kernel (2, 2) orthogonal, bias (2,) zeros, and
 * {@code h_t = tanh(x_t @ kernel + bias + h_{t-1} @ recurrent_kernel)} over a sequence.
 */
public final class SimpleRnnWeights implements AutoCloseable {
  public static final int UNITS = 2;
  public static final int INPUT_DIM = 5;
  private final Graph graph = new Graph();
  private final Session session;
  private final List<Tf1Variable> vars;
  private final Tf1Variables all;

  public SimpleRnnWeights(long seed) {
    Ops tf = Ops.create(graph);
    all = new Tf1Variables(tf);
    SeedSource seeds = SeedSource.tf1GraphSeed(seed);
    Shape k = Shape.of(INPUT_DIM, UNITS);
    Shape rk = Shape.of(UNITS, UNITS);
    all.get("simple_rnn/simple_rnn_cell/kernel", k, KerasInitializers.glorotUniform(k, seeds));
    all.get("simple_rnn/simple_rnn_cell/recurrent_kernel", rk, KerasInitializers.orthogonal(rk, seeds));
    all.get("simple_rnn/simple_rnn_cell/bias", Shape.of(UNITS), Initializers.zeros(Shape.of(UNITS)));
    vars = all.all();
    session = new Session(graph);
    Session.Runner r = session.runner();
    vars.forEach(v -> r.addTarget(v.initializer()));
    r.run().close();
  }

  /** name -> (shape, row-major values). */
  public Map<String, float[]> weights() {
    return Tf1Variables.values(session, vars);
  }

  public List<Tf1Variable> variables() {
    return vars;
  }

  /** Runs the layer on {@code x [batch, time, 5]}; returns the sequences {@code [batch, time, 2]}. */
  public float[][][] run(float[][][] x) {
    int batch = x.length;
    int time = x[0].length;
    for (float[][] seq : x) {
      if (seq.length != time) {
        throw new IllegalArgumentException("every sequence must have " + time + " steps");
      }
      for (float[] step : seq) {
        if (step.length != INPUT_DIM) {
          throw new IllegalArgumentException("every step must have " + INPUT_DIM + " features, got " + step.length);
        }
      }
    }
    Ops tf = Ops.create(graph).withSubScope("run");
    Placeholder<TFloat32> in = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch, time, INPUT_DIM)));
    Tf1Variable kernel = vars.get(0);
    Tf1Variable recurrent = vars.get(1);
    Tf1Variable bias = vars.get(2);
    Operand<TFloat32> h = tf.zeros(tf.constant(new int[] {batch, UNITS}), TFloat32.class);
    List<Operand<TFloat32>> outs = new ArrayList<>();
    for (Operand<TFloat32> xt : tf.unstack(in, (long) time, org.tensorflow.op.core.Unstack.axis(1L)).output()) {
      // h = dot(x, kernel); h = bias_add(h, bias); output = h + dot(prev_output, recurrent_kernel); tanh
      Operand<TFloat32> z = tf.nn.biasAdd(tf.linalg.matMul(xt, kernel.read()), bias.read());
      h = tf.math.tanh(tf.math.add(z, tf.linalg.matMul(h, recurrent.read())));
      outs.add(h);
    }
    Operand<TFloat32> seqs = tf.stack(outs, org.tensorflow.op.core.Stack.axis(1L));
    try (TFloat32 xt = TFloat32.tensorOf(org.tensorflow.ndarray.StdArrays.ndCopyOf(x));
         Result r = session.runner().feed(in, xt).fetch(seqs).run()) {
      TFloat32 t = (TFloat32) r.get(0);
      float[][][] out = new float[batch][time][UNITS];
      org.tensorflow.ndarray.StdArrays.copyFrom(t, out);
      return out;
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
