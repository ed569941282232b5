package org.rnnport.keras;

import java.util.ArrayList;
import java.util.List;
import org.rnnport.models.ModelGraph;
import org.rnnport.nn.KerasActivation;
import org.rnnport.nn.KerasAdam;
import org.rnnport.nn.KerasGruCell;
import org.rnnport.nn.KerasInitializers;
import org.rnnport.nn.KerasLstmCell;
import org.rnnport.nn.KerasOptimizers;
import org.rnnport.nn.KerasSimpleRnnCell;
import org.rnnport.nn.PythonGradients;
import org.rnnport.nn.RnnCell;
import org.rnnport.nn.SeedSource;
import org.rnnport.nn.StaticRnn;
import org.rnnport.nn.Tf1Variable;
import org.rnnport.nn.Tf1Variables;
import org.tensorflow.Operand;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Stack;
import org.tensorflow.op.core.Unstack;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.TInt64;

/**
 * Builds a {@link KerasModel} into a TF Java graph as tf-keras 2.18's {@code model.fit} computes it on the CPU:
 * the Embedding as a gather, each recurrent layer as Keras' While loop unrolled ({@code backend.rnn}; with
 * {@code --gradients python} its weight gradients are summed as the loop's accumulators sum them), Dense as
 * {@code bias_add(matmul)} and its activation. Variables carry Keras' names ({@code <layer>/<cell>/kernel},
 * {@code <layer>/kernel}), created in Keras' order with Keras' initializers drawn from {@code seeds}.
 * The loss is the compiled one, with Keras' SUM_OVER_BATCH_SIZE reduction; a softmax output's crossentropy is
 * computed from the softmax's input ({@code softmax_cross_entropy_with_logits}), as Keras does.
 */
public final class KerasGraph {
  private KerasGraph() {}

  /**
   * Builds {@code m}; with {@code compile} non-null the labels placeholder ({@code float32 [-1, classes]},
   * one-hot), the loss and the optimizer step.
   *
   * @param inputKey the input placeholder's name (the serving signature's key)
   */
  public static ModelGraph build(Ops tf, KerasModel m, String inputKey, SeedSource seeds, KerasCompile compile) {
    return build(tf, m, inputKey, seeds, compile, true, 0);
  }

  /**
   * As {@link #build(Ops, KerasModel, String, SeedSource, KerasCompile)}, for a graph Keras traces with a static batch
   * size or not. Keras' {@code fit} traces its train function with the batch dimension of its dataset: static when
   * every batch is full (rows a multiple of the batch size), None otherwise; {@code model.predict} of one batch of
   * every row is static. Grappler fuses a biased SimpleRNN step ({@link KerasSimpleRnnCell}) only when the two addends'
   * shapes are provably equal, which is with a static batch. {@code globalSeed} is the {@code tf.random.set_seed} of
   * the Keras run, the seed of the training graph's Dropout masks.
   */
  public static ModelGraph build(Ops tf, KerasModel m, String inputKey, SeedSource seeds, KerasCompile compile,
      boolean staticBatch, long globalSeed) {
    Dropouts drop = compile == null ? null : new Dropouts(tf, globalSeed);
    Tf1Variables vars = new Tf1Variables(tf);
    long steps = m.inputShape()[0];
    Placeholder<?> x;
    List<Operand<TFloat32>> seq;
    long depth;
    int first = 0;
    if (m.tokenInput()) {
      KerasLayer.Embedding e = (KerasLayer.Embedding) m.layers().get(0);
      Placeholder<TInt32> ids = tf.withName(inputKey).placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, steps)));
      x = ids;
      Shape es = Shape.of(e.inputDim(), e.outputDim());
      Tf1Variable emb = vars.get(e.name() + "/embeddings", es,
          KerasInitializers.uniform(es, e.minval(), e.maxval(), seeds));
      Ops eo = vars.scope(e.name());
      Operand<TFloat32> embedded = eo.withName("embedding_lookup").gather(emb.read(), ids, eo.constant(0));
      PythonGradients.gathered(vars, emb, embedded, ids);
      seq = null;
      depth = e.outputDim();
      first = 1;
      // Embedding.compute_mask: not_equal(inputs, 0)
      Operand<TBool> mask = e.maskZero() ? eo.withName("NotEqual").math.notEqual(ids, eo.constant(0)) : null;
      // the first recurrent layer unstacks the [batch, time, depth] lookup
      return rest(tf, vars, m, x, embedded, null, depth, steps, first, seeds, compile, staticBatch, mask, drop);
    }
    Placeholder<TFloat32> fx = tf.withName(inputKey).placeholder(TFloat32.class,
        Placeholder.shape(Shape.of(-1, steps, m.inputShape()[1])));
    x = fx;
    depth = m.inputShape()[1];
    if (m.layers().get(0) instanceof KerasLayer.Masking mk) {
      // Masking.call: any(x != mask_value, -1, keepdims) as the mask, x * cast(that mask) as the output
      Ops mo = vars.scope(mk.name());
      Operand<TBool> keep = mo.any(mo.math.notEqual(fx, mo.constant(mk.maskValue())), mo.constant(-1),
          org.tensorflow.op.core.Any.keepDims(true));
      Operand<TFloat32> masked = mo.math.mul(fx, mo.dtypes.cast(keep, TFloat32.class));
      Operand<TBool> mask = mo.squeeze(keep, org.tensorflow.op.core.Squeeze.axis(List.of(-1L)));
      return rest(tf, vars, m, x, masked, null, depth, steps, 1, seeds, compile, staticBatch, mask, drop);
    }
    return rest(tf, vars, m, x, fx, null, depth, steps, first, seeds, compile, staticBatch, null, drop);
  }

  private static ModelGraph rest(Ops tf, Tf1Variables vars, KerasModel m, Placeholder<?> x,
      Operand<TFloat32> batchMajor, List<Operand<TFloat32>> seq, long depth, long steps, int first, SeedSource seeds,
      KerasCompile compile, boolean staticBatch, Operand<TBool> mask, Dropouts drop) {
    List<Operand<TBool>> stepMask = mask == null ? null
        : new ArrayList<>(tf.withSubScope("mask").unstack(mask, steps, Unstack.axis(1L)).output());
    Operand<TFloat32> seq3 = null; // [batch, time, units] after a Dense on the sequence
    Operand<TFloat32> flat = null;
    Operand<TFloat32> logits = null;
    Operand<TFloat32> out = null;
    List<KerasLayer> layers = m.layers();
    boolean unoptimized = staticBatch && hasBiasedReluSimpleRnn(m);
    boolean fuseSimpleRnn = staticBatch && !unoptimized;
    // the variables whose RMSprop increment Keras' Grappler reorders (see KerasOptimizers.rmsprop)
    java.util.Set<String> lrRsqrtFirst = unoptimized ? java.util.Set.of() : rmspropReordered(m);
    for (int i = first; i < layers.size(); i++) {
      KerasLayer l = layers.get(i);
      if (l instanceof KerasLayer.Recurrent r) {
        if (seq == null) {
          seq = new ArrayList<>(vars.scope(r.name()).withName("unstack").unstack(batchMajor, steps,
              Unstack.axis(1L)).output());
        }
        PythonGradients.dynamicRnn(vars);
        // LSTM/GRU pass the mask to backend.rnn with zero_output_for_mask=False (the RNN default)
        StaticRnn.Result res = stepMask == null ? StaticRnn.unroll(r.name(), cell(r, fuseSimpleRnn, unoptimized), seq, depth, vars, seeds)
            : StaticRnn.unrollMasked(r.name(), cell(r, fuseSimpleRnn, unoptimized), seq, stepMask, false, depth, vars, seeds);
        depth = r.units();
        if (!r.returnSequences()) {
          stepMask = null; // RNN.compute_mask: the mask only with return_sequences
        }
        if (r.returnSequences()) {
          seq = res.outputs();
        } else {
          flat = res.last();
          seq = null;
        }
      } else if (l instanceof KerasLayer.Bidirectional b) {
        KerasLayer.Recurrent r = b.layer();
        if (seq == null) {
          seq = new ArrayList<>(vars.scope(b.name()).withName("unstack").unstack(batchMajor, steps,
              Unstack.axis(1L)).output());
        }
        PythonGradients.dynamicRnn(vars);
        // Keras: forward_<name> in order; backward_<name> with go_backwards (the steps reversed)
        List<Operand<TFloat32>> reversed = new ArrayList<>(seq);
        java.util.Collections.reverse(reversed);
        StaticRnn.Result fw;
        StaticRnn.Result bw;
        if (stepMask == null) {
          fw = StaticRnn.unroll(b.name() + "/forward_" + r.name(), cell(r, fuseSimpleRnn, unoptimized), seq, depth, vars, seeds);
          bw = StaticRnn.unroll(b.name() + "/backward_" + r.name(), cell(r, fuseSimpleRnn, unoptimized), reversed, depth, vars, seeds);
        } else {
          // Bidirectional forces zero_output_for_mask = return_sequences on both layers; go_backwards reverses the
          // mask with the steps
          List<Operand<TBool>> reversedMask = new ArrayList<>(stepMask);
          java.util.Collections.reverse(reversedMask);
          fw = StaticRnn.unrollMasked(b.name() + "/forward_" + r.name(), cell(r, fuseSimpleRnn, unoptimized), seq, stepMask, r.returnSequences(),
              depth, vars, seeds);
          bw = StaticRnn.unrollMasked(b.name() + "/backward_" + r.name(), cell(r, fuseSimpleRnn, unoptimized), reversed, reversedMask,
              r.returnSequences(), depth, vars, seeds);
          if (!r.returnSequences()) {
            stepMask = null;
          }
        }
        Ops mo = vars.scope(b.name());
        if (r.returnSequences()) {
          // y_rev = reverse(y_rev, time axis), then merged step by step
          List<Operand<TFloat32>> back = new ArrayList<>(bw.outputs());
          java.util.Collections.reverse(back);
          List<Operand<TFloat32>> merged = new ArrayList<>();
          for (int t = 0; t < back.size(); t++) {
            merged.add(merge(mo, b.mergeMode(), fw.outputs().get(t), back.get(t)));
          }
          seq = merged;
        } else {
          flat = merge(mo, b.mergeMode(), fw.last(), bw.last());
          seq = null;
        }
        depth = b.units();
      } else if (l instanceof KerasLayer.TimeDistributed td) {
        // TimeDistributed (batch size unknown): reshape to [-1, d], the Dense, reshape to [-1, time, units]
        KerasLayer.Dense d = td.layer();
        Operand<TFloat32> in3 = seq3 != null ? seq3 : vars.scope(td.name()).stack(seq, Stack.axis(1L));
        Ops o = vars.scope(td.name());
        Shape k = Shape.of(depth, d.units());
        Tf1Variable kernel = vars.get(td.name() + "/kernel", k, KerasInitializers.glorotUniform(k, seeds));
        Tf1Variable bias = d.useBias() ? vars.get(td.name() + "/bias", Shape.of(d.units()),
            org.rnnport.nn.Initializers.zeros(Shape.of(d.units()))) : null;
        Operand<TFloat32> z = o.linalg.matMul(o.reshape(in3, o.constant(new long[] {-1, depth})), kernel.read());
        if (bias != null) {
          z = o.withName("BiasAdd").nn.biasAdd(z, bias.read());
        }
        Operand<TFloat32> a = d.activation().apply(o, z);
        seq3 = o.reshape(a, o.constant(new long[] {-1, steps, d.units()}));
        logits = o.reshape(z, o.constant(new long[] {-1, steps, d.units()}));
        out = seq3;
        seq = null;
        depth = d.units();
      } else if (l instanceof KerasLayer.Dense d && flat == null) {
        // Dense on [batch, time, d]: tensordot (reshape, matmul, reshape), bias_add, activation
        Operand<TFloat32> in3 = seq3 != null ? seq3 : vars.scope(d.name()).stack(seq, Stack.axis(1L));
        Shape k = Shape.of(depth, d.units());
        Tf1Variable kernel = vars.get(d.name() + "/kernel", k, KerasInitializers.glorotUniform(k, seeds));
        Tf1Variable bias = d.useBias() ? vars.get(d.name() + "/bias", Shape.of(d.units()),
            org.rnnport.nn.Initializers.zeros(Shape.of(d.units()))) : null;
        Ops o = vars.scope(d.name());
        Operand<TFloat32> z = o.reshape(o.linalg.matMul(o.reshape(in3, o.constant(new long[] {-1, depth})),
            kernel.read()), o.constant(new long[] {-1, steps, d.units()}));
        if (bias != null) {
          z = o.withName("BiasAdd").nn.biasAdd(z, bias.read());
        }
        logits = z;
        out = d.activation().apply(o, z);
        seq3 = out;
        seq = null;
        depth = d.units();
      } else if (l instanceof KerasLayer.Dense d) {
        Shape k = Shape.of(depth, d.units());
        Tf1Variable kernel = vars.get(d.name() + "/kernel", k, KerasInitializers.glorotUniform(k, seeds));
        Tf1Variable bias = d.useBias() ? vars.get(d.name() + "/bias", Shape.of(d.units()),
            org.rnnport.nn.Initializers.zeros(Shape.of(d.units()))) : null;
        Ops o = vars.scope(d.name());
        Operand<TFloat32> z = o.linalg.matMul(flat, kernel.read());
        if (bias != null) {
          z = o.withName("BiasAdd").nn.biasAdd(z, bias.read());
        }
        logits = z;
        out = d.activation().apply(o, z);
        flat = out;
        depth = d.units();
      } else if (l instanceof KerasLayer.Dropout d) {
        // Keras: tf.identity when rate == 0 or not training (no random op); the inference graph has none
        if (drop != null && d.rate() > 0) {
          Ops o = vars.scope(d.name());
          if (seq != null) {
            // a [batch, time, units] sequence, as Keras' recurrent layer returns it
            Operand<TFloat32> dropped = drop.apply(vars, o, d, o.stack(seq, org.tensorflow.op.core.Stack.axis(1L)));
            seq = new ArrayList<>(o.unstack(dropped, steps, Unstack.axis(1L)).output());
          } else if (flat != null) {
            flat = drop.apply(vars, o, d, flat);
          } else {
            batchMajor = drop.apply(vars, o, d, batchMajor);
          }
        }
      } else {
        throw new IllegalStateException("unexpected layer " + l);
      }
    }
    KerasActivation act = m.outputActivation();
    Operand<TFloat32> probabilities = tf.withName("probabilities").identity(out);
    Operand<TInt64> classes = tf.withName("classes").math.argMax(logits, tf.constant(seq3 != null ? 2 : 1));
    List<Tf1Variable> modelVars = new ArrayList<>(vars.all());
    if (drop != null) {
      modelVars.removeAll(drop.counters);
    }
    Placeholder<TFloat32> y = null;
    Operand<TFloat32> loss = null;
    Op train = null;
    if (compile != null) {
      long perRow = seq3 != null ? steps * m.outputUnits() : m.outputUnits();
      y = tf.withName("target").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, perRow)));
      Ops l = tf.withSubScope("loss");
      if (seq3 != null) {
        if (compile.binaryLoss()) {
          throw new KerasFormatException("binary_crossentropy on a per-timestep output is not built");
        }
        loss = perTimestepLoss(l, m, compile, y, out, logits, steps, stepMask == null ? null : mask,
            m.layers().get(m.layers().size() - 1) instanceof KerasLayer.TimeDistributed);
      } else if (compile.binaryLoss()) {
        loss = binaryCrossentropy(vars, l, act, logits, y);
      } else if (!compile.classLoss()) {
        // tf-keras 2.18 losses.mean_squared_error / mean_absolute_error: backend.mean(squared_difference(y_pred,
        // y_true), axis=-1) / backend.mean(abs(y_pred - y_true), axis=-1), then compute_weighted_loss's
        // SUM_OVER_BATCH_SIZE: reduce_sum over the batch, div_no_nan by the number of elements
        Operand<TFloat32> per = compile.loss().equals("mse")
            ? l.math.squaredDifference(out, y)
            : l.math.abs(l.math.sub(out, y));
        Operand<TFloat32> mean = l.withName("mean").math.mean(per, l.constant(-1));
        loss = l.withName("value").math.divNoNan(l.sum(mean, l.constant(0)),
            l.dtypes.cast(l.size(mean), TFloat32.class));
      } else {
        if (act != KerasActivation.SOFTMAX) {
          throw new KerasFormatException(compile.loss() + " is supported on a softmax output; the model's output is "
              + act.keras());
        }
        // categorical and sparse categorical crossentropy on a softmax output: Keras takes the softmax's input and
        // calls (sparse_)softmax_cross_entropy_with_logits; the labels are fed one-hot, the sparse op gets their argmax
        Operand<TFloat32> xent;
        if (compile.loss().equals("sparse_categorical_crossentropy")) {
          registerSparseXentGradient();
          Operand<TInt64> ids = l.withName("labels").math.argMax(y, l.constant(1), TInt64.class);
          xent = l.nn.sparseSoftmaxCrossEntropyWithLogits(logits, ids).loss();
        } else {
          xent = l.nn.softmaxCrossEntropyWithLogits(logits, y).loss();
        }
        loss = l.withName("value").math.divNoNan(l.sum(xent, l.constant(0)),
            l.dtypes.cast(l.size(xent), TFloat32.class));
      }
      train = switch (compile.optimizer()) {
        case "adam" -> KerasAdam.minimize(vars, loss, modelVars, compile.learningRate());
        case "sgd" -> KerasOptimizers.sgd(vars, loss, modelVars, compile.learningRate(), compile.momentum(),
            compile.nesterov());
        case "rmsprop" -> KerasOptimizers.rmsprop(vars, loss, modelVars, compile.learningRate(), compile.rho(),
            compile.momentum(), compile.epsilon(), v -> lrRsqrtFirst.contains(v.name()));
        default -> throw new IllegalStateException(compile.optimizer());
      };
      if (drop != null && !drop.updates.isEmpty()) {
        // each step also advances the Dropout layers' random streams (after their draws)
        List<Op> all = new ArrayList<>(drop.updates);
        all.add(train);
        train = tf.withName("train_step").withControlDependencies(all).noOp();
      }
    }
    return new ModelGraph(x.op().name(), x, y, logits, probabilities, classes, loss, train, modelVars, vars.all());
  }

  /**
   * The loss of a per-timestep output {@code [batch, time, k]} (labels fed as {@code [batch, time * k]}): tf-keras
   * 2.18's per-element loss {@code [batch, time]}, weighted by the output's mask when it has one (compile_utils'
   * {@code apply_mask} makes the mask the sample weight, {@code Loss.__call__}'s {@code apply_valid_mask} multiplies
   * it by {@code mask * size / sum(mask)}: {@code losses * (mask * (mask * (size / valid)))}), then
   * SUM_OVER_BATCH_SIZE: {@code div_no_nan(reduce_sum(all), size)}.
   */
  private static Operand<TFloat32> perTimestepLoss(Ops l, KerasModel m, KerasCompile compile, Operand<TFloat32> y,
      Operand<TFloat32> out, Operand<TFloat32> logits, long steps, Operand<TBool> mask, boolean timeDistributed) {
    long k = m.outputUnits();
    Operand<TFloat32> yt = l.withName("labels3d").reshape(y, l.constant(new long[] {-1, steps, k}));
    Operand<TFloat32> per;
    if (!compile.classLoss()) {
      Operand<TFloat32> d = compile.loss().equals("mse") ? l.math.squaredDifference(out, yt)
          : l.math.abs(l.math.sub(out, yt));
      per = l.withName("mean").math.mean(d, l.constant(-1));
    } else if (timeDistributed) {
      // TimeDistributed's output is a Reshape, not the Softmax (and has no _keras_logits): tf-keras' backend
      // crossentropy takes the probabilities. eps = 1e-7, clip_by_value = maximum(minimum(p, 1 - eps), eps)
      Operand<TFloat32> eps = l.constant(1e-7f);
      Operand<TFloat32> hi = l.math.sub(l.constant(1f), eps);
      if (compile.loss().equals("sparse_categorical_crossentropy")) {
        // clip, log, then sparse_softmax_cross_entropy_with_logits on [-1, k] (reshaped back to [batch, time])
        Operand<TFloat32> logp = l.math.log(l.math.maximum(l.math.minimum(out, hi), eps));
        registerSparseXentGradient();
        Operand<TInt64> ids = l.withName("labels").math.argMax(yt, l.constant(-1), TInt64.class);
        Operand<TFloat32> xent = l.nn.sparseSoftmaxCrossEntropyWithLogits(
            l.reshape(logp, l.constant(new long[] {-1, k})), l.reshape(ids, l.constant(new long[] {-1}))).loss();
        per = l.reshape(xent, l.constant(new long[] {-1, steps}));
      } else {
        // p / reduce_sum(p, -1, keepdims), clip, -reduce_sum(target * log(p), -1)
        Operand<TFloat32> norm = l.math.realDiv(out, l.sum(out, l.constant(-1),
            org.tensorflow.op.core.Sum.keepDims(true)));
        Operand<TFloat32> clipped = l.math.maximum(l.math.minimum(norm, hi), eps);
        per = l.math.neg(l.sum(l.math.mul(yt, l.math.log(clipped)), l.constant(-1)));
      }
    } else {
      // the Softmax's input: (sparse_)softmax_cross_entropy_with_logits on [-1, k], reshaped to [batch, time]
      Operand<TFloat32> flatLogits = l.reshape(logits, l.constant(new long[] {-1, k}));
      Operand<TFloat32> xent;
      if (compile.loss().equals("sparse_categorical_crossentropy")) {
        registerSparseXentGradient();
        Operand<TInt64> ids = l.withName("labels").math.argMax(yt, l.constant(-1), TInt64.class);
        xent = l.nn.sparseSoftmaxCrossEntropyWithLogits(flatLogits,
            l.reshape(ids, l.constant(new long[] {-1}))).loss();
      } else {
        xent = l.nn.softmaxCrossEntropyWithLogits(flatLogits, l.reshape(yt, l.constant(new long[] {-1, k}))).loss();
      }
      per = l.reshape(xent, l.constant(new long[] {-1, steps}));
    }
    Operand<TFloat32> weighted = per;
    if (mask != null) {
      Operand<TFloat32> mf = l.dtypes.cast(mask, TFloat32.class);
      Operand<TFloat32> total = l.dtypes.cast(l.size(mf), TFloat32.class);
      Operand<TFloat32> valid = l.sum(mf, l.constant(new int[] {0, 1}));
      Operand<TFloat32> redistributed = l.math.mul(mf, l.math.realDiv(total, valid));
      Operand<TFloat32> sw = l.math.mul(mf, redistributed);
      weighted = l.math.mul(per, sw);
    }
    return l.withName("value").math.divNoNan(l.sum(weighted, l.constant(new int[] {0, 1})),
        l.dtypes.cast(l.size(weighted), TFloat32.class));
  }

  /**
   * tf-keras 2.18 {@code losses.binary_crossentropy} on a sigmoid output: {@code backend.binary_crossentropy} finds
   * the sigmoid's input ({@code _keras_logits}) and calls {@code tf.nn.sigmoid_cross_entropy_with_logits}, which is
   * {@code relu(z) - z * y + log1p(exp(-|z|))} built from two {@code where}s ({@code Select}); then
   * {@code backend.mean(..., axis=-1)} and SUM_OVER_BATCH_SIZE (reduce_sum over the batch, div_no_nan by its size).
   * Other outputs are refused by name (Keras would clip them by epsilon and take logs: not built here).
   */
  static Operand<TFloat32> binaryCrossentropy(Tf1Variables vars, Ops l, KerasActivation act, Operand<TFloat32> z,
      Operand<TFloat32> y) {
    if (act != KerasActivation.SIGMOID) {
      throw new KerasFormatException("binary_crossentropy is supported on a sigmoid output; the model's output is "
          + act.keras());
    }
    Ops b = l.withSubScope("logistic_loss");
    Operand<TFloat32> zeros = b.zerosLike(z);
    Operand<org.tensorflow.types.TBool> cond = b.math.greaterEqual(z, zeros);
    // d z is Python's AddN(Neg, Select, Select_3, mul/Mul) (Grappler sorts its inputs by name), which adds the
    // relu Select's and the Neg's gradients first where z >= 0: they read z through one Identity, summed before the rest
    Operand<TFloat32> zg = PythonGradients.grouped(vars, b, z);
    Operand<TFloat32> reluLogits = b.select(cond, zg, zeros);
    Operand<TFloat32> negAbsLogits = b.select(cond, b.math.neg(zg), z);
    Operand<TFloat32> xent = b.math.add(b.math.sub(reluLogits, b.math.mul(z, y)),
        b.math.log1p(b.math.exp(negAbsLogits)));
    Operand<TFloat32> mean = l.withName("mean").math.mean(xent, l.constant(-1));
    return l.withName("value").math.divNoNan(l.sum(mean, l.constant(0)), l.dtypes.cast(l.size(mean), TFloat32.class));
  }

  /**
   * The training graph's Dropout layers as tf-keras 2.18 runs them in {@code model.fit}: {@code tf.nn.dropout(x, rate,
   * seed)} is {@code where(RandomUniform(shape(x)) >= rate, x * (1 / (1 - rate)), 0)}, and Keras' RandomUniform is a
   * stateful Philox kernel with attributes {@code (seed, seed2)} from {@code random_seed.get_seed}: the global seed and,
   * for the k-th Dropout without a seed, k; for a layer seed s, s + 1 (the layer drew s once when the Sequential was
   * built). That kernel's i-th draw is {@code StatelessRandomUniformV2} with key {@code seed} and the 128-bit counter
   * {@code (256 * values drawn before, seed2)} (its {@code ReserveRandomOutputs(n, 256)}), so rnnport draws the same
   * masks from a counter kept in two float32 variables (exact below 2^48 values; saved in checkpoints, not in the
   * export). Not training ({@code keras_learning_phase} false, its default: evaluation, validation) gives {@code x}.
   */
  static final class Dropouts {
    static final long TWO24 = 1L << 24;
    final long globalSeed;
    final Operand<org.tensorflow.types.TBool> learningPhase;
    final List<Tf1Variable> counters = new ArrayList<>();
    final List<Op> updates = new ArrayList<>();
    int unseeded;

    Dropouts(Ops tf, long globalSeed) {
      this.globalSeed = globalSeed;
      this.learningPhase = tf.withName("keras_learning_phase").placeholderWithDefault(tf.constant(false),
          Shape.scalar());
    }

    /** Python's get_seed: both modulo 2^31 - 1, (0, 0) turned into (0, 2^31 - 1). */
    long[] seeds(KerasLayer.Dropout d) {
      long s1 = globalSeed % SeedSource.MAXINT32;
      long s2 = (d.seed() == null ? unseeded++ : d.seed() + 1) % SeedSource.MAXINT32;
      return s1 == 0 && s2 == 0 ? new long[] {0, SeedSource.MAXINT32} : new long[] {s1, s2};
    }

    Operand<TFloat32> apply(Tf1Variables vars, Ops o, KerasLayer.Dropout d, Operand<TFloat32> x) {
      long[] s = seeds(d);
      Tf1Variable lo = vars.create(d.name() + "/rng_counter_lo", Shape.scalar(), o.constant(0f));
      Tf1Variable hi = vars.create(d.name() + "/rng_counter_hi", Shape.scalar(), o.constant(0f));
      counters.add(lo);
      counters.add(hi);
      Ops r = o.withSubScope("dropout");
      Operand<TInt64> drawn = r.math.add(r.math.mul(r.dtypes.cast(hi.read(), TInt64.class), r.constant(TWO24)),
          r.dtypes.cast(lo.read(), TInt64.class));
      Operand<TInt64> c0 = r.math.mul(drawn, r.constant(256L));
      Operand<TInt64> counter = r.stack(List.of(c0, r.constant(s[1])));
      org.tensorflow.Graph g = (org.tensorflow.Graph) r.scope().env();
      org.tensorflow.Output<?> key = bitcastU64(g, r, "key", r.constant(new long[] {s[0]}));
      org.tensorflow.Output<?> ctr = bitcastU64(g, r, "counter", counter);
      Operand<TInt32> shape = r.shape(x);
      org.tensorflow.GraphOperation u = g.opBuilder("StatelessRandomUniformV2", r.scope().makeOpName(
          "random_uniform"), r.scope())
          .addInput(shape.asOutput()).addInput(key).addInput(ctr).addInput(r.constant(1).asOutput())
          .setAttr("dtype", org.tensorflow.proto.DataType.DT_FLOAT)
          .build();
      Operand<TFloat32> uniform = u.output(0);
      Operand<TFloat32> scaled = r.math.mul(x, r.constant((float) (1.0 / (1.0 - d.rate()))));
      Operand<org.tensorflow.types.TBool> keep = r.math.greaterEqual(uniform, r.constant((float) d.rate()));
      Operand<TFloat32> dropped = r.select(keep, scaled, r.constant(0f));
      // the stream moves on by the values drawn, once the draw has read the counter
      Ops after = r.withControlDependencies(List.of(uniform));
      Operand<TInt64> next = after.math.add(drawn, after.size(x, TInt64.class));
      updates.add(after.assign(hi.ref(), after.dtypes.cast(after.math.floorDiv(next, after.constant(TWO24)),
          TFloat32.class)));
      updates.add(after.assign(lo.ref(), after.dtypes.cast(after.math.floorMod(next, after.constant(TWO24)),
          TFloat32.class)));
      return o.withName("output").select(learningPhase, dropped, x);
    }

    private static org.tensorflow.Output<?> bitcastU64(org.tensorflow.Graph g, Ops r, String name,
        Operand<TInt64> v) {
      return g.opBuilder("Bitcast", r.scope().makeOpName(name), r.scope()).addInput(v.asOutput())
          .setAttr("type", org.tensorflow.proto.DataType.DT_UINT64).build().output(0);
    }
  }

  /** Bidirectional's merge: concatenate([y, y_rev]), y + y_rev, (y + y_rev) / 2, y * y_rev. */
  private static Operand<TFloat32> merge(Ops tf, String mode, Operand<TFloat32> y, Operand<TFloat32> yRev) {
    return switch (mode) {
      case "concat" -> tf.concat(List.of(y, yRev), tf.constant(-1));
      case "sum" -> tf.math.add(y, yRev);
      case "ave" -> tf.math.div(tf.math.add(y, yRev), tf.constant(2f));
      case "mul" -> tf.math.mul(y, yRev);
      default -> throw new IllegalStateException(mode);
    };
  }

  private static boolean sparseXentGradient;

  /**
   * TF Java has no gradient for SparseSoftmaxCrossEntropyWithLogits; this is Python's
   * ({@code _SparseSoftmaxCrossEntropyWithLogitsGrad}): {@code expand_dims(grad_loss, -1) * backprop} (the op's
   * second output) for the logits, and (zeros) for the integer labels.
   */
  static synchronized void registerSparseXentGradient() {
    if (sparseXentGradient) {
      return;
    }
    org.tensorflow.TensorFlow.registerCustomGradient("SparseSoftmaxCrossEntropyWithLogits", (tf, op, grads) -> {
      @SuppressWarnings("unchecked")
      Operand<TFloat32> g = (Operand<TFloat32>) grads.get(0);
      @SuppressWarnings("unchecked")
      Operand<TFloat32> backprop = (Operand<TFloat32>) (Operand<?>) op.output(1);
      Operand<TFloat32> dLogits = tf.math.mul(tf.expandDims(g, tf.constant(-1)), backprop);
      return List.of(dLogits, tf.dtypes.cast(tf.zerosLike(g), TInt64.class));
    });
    sparseXentGradient = true;
  }

  /**
   * Whether the model has a SimpleRNN(relu) with a bias. Traced with a static batch, its train or predict function makes
   * the remapper fuse {@code BiasAdd, Add, Relu} into a node Grappler's final MLIR check rejects ("Node ... has an empty
   * op name"), and TensorFlow then runs the function unoptimized ("Ignoring multi-device function optimization
   * failure"): none of the rewrites built here happen. With a batch of unknown size the pattern does not match and
   * Grappler's other rewrites stay.
   */
  static boolean hasBiasedReluSimpleRnn(KerasModel m) {
    for (KerasLayer l : m.layers()) {
      KerasLayer.Recurrent r = l instanceof KerasLayer.Bidirectional b ? b.layer()
          : l instanceof KerasLayer.Recurrent rr ? rr : null;
      if (r != null && r.kind() == KerasLayer.Kind.SIMPLE_RNN && r.useBias() && r.activation() == KerasActivation.RELU) {
        return true;
      }
    }
    return false;
  }

  /**
   * The variables whose RMSprop increment Grappler's arithmetic optimizer reorders to {@code (lr * rsqrt) * gradient}
   * in Keras' train function, as read from its optimized graph (tf-keras 2.18, CPU): those whose gradient shape its
   * shape inference knows. Every Dense bias and Embedding; a Dense kernel unless its input comes from a GRU
   * (reset_after=True) or LSTM (their gradients leave Keras' standard_gru/standard_lstm function call without a
   * shape); GRU(reset_after=False)'s recurrent_kernel (its While-loop gradient is a StridedSliceGrad of a known
   * shape). SimpleRNN and GRU/LSTM weights are not reordered.
   */
  static java.util.Set<String> rmspropReordered(KerasModel m) {
    java.util.Set<String> names = new java.util.HashSet<>();
    KerasLayer before = null;
    for (KerasLayer l : m.layers()) {
      if (l instanceof KerasLayer.Embedding e) {
        names.add(e.name() + "/embeddings");
      } else if (l instanceof KerasLayer.Dense d) {
        names.add(d.name() + "/bias");
        KerasLayer.Recurrent r = before instanceof KerasLayer.Bidirectional b ? b.layer()
            : before instanceof KerasLayer.Recurrent rr ? rr : null;
        boolean fromFunction = r != null && (r.kind() == KerasLayer.Kind.LSTM
            || (r.kind() == KerasLayer.Kind.GRU && r.resetAfter()));
        if (!fromFunction) {
          names.add(d.name() + "/kernel");
        }
      } else if (l instanceof KerasLayer.Recurrent r && r.kind() == KerasLayer.Kind.GRU && !r.resetAfter()) {
        names.add(r.name() + "/gru_cell/recurrent_kernel");
      }
      before = l;
    }
    return names;
  }

  private static RnnCell cell(KerasLayer.Recurrent r, boolean fuseSimpleRnn, boolean unoptimized) {
    return switch (r.kind()) {
      // Grappler fuses a biased step into _FusedMatMul(BiasAdd, Add) when traced with a static batch
      case SIMPLE_RNN -> new KerasSimpleRnnCell(r.units(), r.activation(), r.useBias(), fuseSimpleRnn);
      case GRU -> new KerasGruCell(r.units(), r.resetAfter(), unoptimized);
      case LSTM -> new KerasLstmCell(r.units());
    };
  }
}
