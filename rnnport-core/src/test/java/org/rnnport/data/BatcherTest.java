package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BatcherTest {

  /** Ten 1x1 "images" whose pixel is the example index. */
  private static ImageSet tiny() {
    byte[] px = new byte[10];
    int[] labels = new int[10];
    for (int i = 0; i < 10; i++) {
      px[i] = (byte) i;
      labels[i] = i % 3;
    }
    return new ImageSet(px, 1f, labels, 1, 1, 3);
  }

  private static int[] ids(Batcher b) {
    int[] out = new int[b.batchSize()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (int) b.x()[i];
    }
    return out;
  }

  @Test
  void sequentialOrderWrapsLikeTf1NextBatch() {
    Batcher b = new Batcher(tiny(), 4, BatchOrder.SEQUENTIAL, 0);
    b.next();
    assertThat(ids(b)).containsExactly(0, 1, 2, 3);
    b.next();
    assertThat(ids(b)).containsExactly(4, 5, 6, 7);
    b.next(); // rest of epoch 1, then the start of epoch 2
    assertThat(ids(b)).containsExactly(8, 9, 0, 1);
    assertThat(b.epochsCompleted()).isEqualTo(1);
    b.next();
    assertThat(ids(b)).containsExactly(2, 3, 4, 5);
    assertThat(b.y()).containsExactly(0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1);
    assertThat(b.labels()).containsExactly(2, 0, 1, 2);
  }

  @Test
  void shuffledEpochsArePermutationsAndSeeded() {
    Batcher a = new Batcher(tiny(), 5, BatchOrder.SHUFFLE, 42);
    Batcher c = new Batcher(tiny(), 5, BatchOrder.SHUFFLE, 42);
    Batcher d = new Batcher(tiny(), 5, BatchOrder.SHUFFLE, 43);
    boolean differs = false;
    for (int epoch = 0; epoch < 3; epoch++) {
      Set<Integer> seen = new HashSet<>();
      for (int k = 0; k < 2; k++) {
        a.next();
        c.next();
        d.next();
        assertThat(ids(c)).containsExactly(ids(a));
        differs |= !java.util.Arrays.equals(ids(a), ids(d));
        for (int id : ids(a)) {
          seen.add(id);
        }
      }
      assertThat(seen).hasSize(10);
    }
    assertThat(differs).isTrue();
  }

  @Test
  void firstEpochUsesNumpysShuffle() {
    // TF1 next_batch after np.random.seed(s): images[permutation] with numpy's legacy shuffle
    Batcher b = new Batcher(tiny(), 10, BatchOrder.SHUFFLE, 7);
    b.next();
    assertThat(ids(b)).containsExactly(new NumpyRandomState(7).permutation(10));
  }
}
