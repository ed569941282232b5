package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rnnport.TestData;
import org.rnnport.data.BatchOrder;
import org.rnnport.data.Batcher;
import org.rnnport.data.Mnist;
import org.rnnport.models.MnistRnn;
import org.rnnport.nn.SeedSource;

class TrainerTest {

  private static float[] run(int steps, long seed, double[] accuracyOut) {
    Mnist mnist = TestData.mnist();
    float[] losses = new float[steps];
    try (Trainer t = new Trainer(new MnistRnn(), SeedSource.tf1GraphSeed(seed), 0.001f, 0, null)) {
      t.initialize();
      Batcher b = new Batcher(mnist.train(), 128, BatchOrder.SHUFFLE, seed);
      for (int i = 0; i < steps; i++) {
        b.next();
        losses[i] = t.step(b.x(), b.y(), 128);
      }
      if (accuracyOut != null) {
        accuracyOut[0] = t.accuracy(mnist.test(), 1000, 500);
      }
    }
    return losses;
  }

  @Test
  void seededRunLearnsAndRepeatsBitForBit() {
    double[] acc = new double[1];
    float[] first = run(300, 7, acc);
    assertThat(acc[0]).as("accuracy on the first 1,000 test images after 300 steps").isGreaterThanOrEqualTo(0.85);
    assertThat(first[299]).isLessThan(first[0]);
    float[] second = run(300, 7, null);
    for (int i = 0; i < first.length; i++) {
      assertThat(Float.floatToIntBits(second[i])).as("loss bits at step %d", i)
          .isEqualTo(Float.floatToIntBits(first[i]));
    }
  }
}
