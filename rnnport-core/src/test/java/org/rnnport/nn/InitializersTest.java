package org.rnnport.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;

class InitializersTest {

  private static float[] values(java.util.function.Function<Ops, Operand<TFloat32>> build) {
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Operand<TFloat32> op = build.apply(Ops.create(g));
      try (TFloat32 t = (TFloat32) s.runner().fetch(op).run().get(0)) {
        float[] out = new float[(int) t.size()];
        t.copyTo(org.tensorflow.ndarray.buffer.DataBuffers.of(out, false, false));
        return out;
      }
    }
  }

  @Test
  void glorotLimitIsTf1s() {
    // BasicRNNCell(128) on 28 inputs: kernel [156, 128]
    assertThat(Initializers.glorotLimit(156, 128)).isEqualTo(Math.sqrt(6.0 / (156 + 128)));
    float[] k = values(tf -> Initializers.glorotUniform(Shape.of(156, 128), SeedSource.tf1GraphSeed(3)).apply(tf));
    float limit = (float) Initializers.glorotLimit(156, 128);
    double mean = 0;
    for (float v : k) {
      assertThat(v).isBetween(-limit, limit);
      mean += v;
    }
    assertThat(Math.abs(mean / k.length)).isLessThan(0.01);
  }

  @Test
  void sameSeedsSameBitsOtherSeedsOtherBits() {
    float[] a = values(tf -> Initializers.randomNormal(tf, "w", Shape.of(128, 10), 0f, 1f, SeedSource.tf1GraphSeed(9)));
    float[] b = values(tf -> Initializers.randomNormal(tf, "w", Shape.of(128, 10), 0f, 1f, SeedSource.tf1GraphSeed(9)));
    float[] c = values(tf -> Initializers.randomNormal(tf, "w", Shape.of(128, 10), 0f, 1f, SeedSource.tf1GraphSeed(10)));
    assertThat(b).containsExactly(a);
    assertThat(c).isNotEqualTo(a);
  }

  @Test
  void truncatedNormalStaysWithinTwoStddev() {
    float[] t = values(tf -> Initializers.truncatedNormal(tf, "t", Shape.of(100, 10), 0f, 0.1f, SeedSource.tf1GraphSeed(1)));
    for (float v : t) {
      assertThat(v).isBetween(-0.2f, 0.2f);
    }
    float[] k = values(tf -> Initializers.constant(tf, "b", Shape.of(10), 0.1f));
    assertThat(k).containsOnly(0.1f);
  }
}
