package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** TF's RandomShuffle kernel and Keras' fit order (the Python-judged matrix is rnnport-fit's KerasOrderTest). */
class TfRandomShuffleTest {

  @Test
  void philoxMatchesRandom123sKnownAnswers() {
    // Random123's kat_vectors for philox4x32-10
    assertThat(TfRandomShuffle.philox(new int[4], new int[2]))
        .containsExactly(0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8);
    assertThat(TfRandomShuffle.philox(new int[] {-1, -1, -1, -1}, new int[] {-1, -1}))
        .containsExactly(0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd);
    assertThat(TfRandomShuffle.philox(new int[] {0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344},
        new int[] {0xa4093822, 0x299f31d0})).containsExactly(0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1);
  }

  @Test
  void threeEpochsAreKerasFitsOrder() {
    // tf.random.set_seed(7); get_data_handler(x=arange(10), y=arange(10), batch_size=4, epochs=3, shuffle=True):
    // its batches, epoch by epoch (tf-keras 2.18)
    TfRandomShuffle s = TfRandomShuffle.forKerasFit(7);
    assertThat(s.permutation(10)).containsExactly(7, 5, 4, 0, 3, 6, 9, 2, 8, 1);
    assertThat(s.permutation(10)).containsExactly(6, 3, 5, 4, 0, 8, 7, 2, 1, 9);
    assertThat(s.permutation(10)).containsExactly(0, 1, 2, 8, 6, 4, 7, 5, 3, 9);
  }

  @Test
  void oneRowDrawsNothingAndSeedZeroIsTfsZeroRule() {
    TfRandomShuffle a = TfRandomShuffle.forKerasFit(3);
    int[] before = a.state();
    assertThat(a.permutation(1)).containsExactly(0);
    assertThat(a.state()).isEqualTo(before);
    // get_seed's (0, 0) -> (0, 2^31 - 1), and global seeds are taken mod 2^31 - 1
    assertThat(TfRandomShuffle.forKerasFit(0).state()).isEqualTo(new TfRandomShuffle(0, 2147483647L).state());
    assertThat(TfRandomShuffle.forKerasFit(2147483647L).state()).isEqualTo(TfRandomShuffle.forKerasFit(0).state());
    assertThat(TfRandomShuffle.forKerasFit(-5).state()).isEqualTo(TfRandomShuffle.forKerasFit(2147483642L).state());
    assertThatThrownBy(() -> new TfRandomShuffle(0, 0)).hasMessageContaining("random seed");
  }

  @Test
  void aRestoredOrderContinuesBitForBit() {
    EpochOrder a = new EpochOrder(1000, BatchOrder.KERAS, 11);
    a.startEpoch();
    a.next();
    a.next();
    EpochOrder b = new EpochOrder(1000, BatchOrder.KERAS, 11);
    b.restore(a.state());
    assertThat(b.order()).isEqualTo(a.order());
    assertThat(b.batch()).isEqualTo(1);
    for (int e = 0; e < 3; e++) {
      a.startEpoch();
      b.startEpoch();
      assertThat(b.order()).isEqualTo(a.order());
    }
    EpochOrder numpy = new EpochOrder(1000, BatchOrder.SHUFFLE, 11);
    assertThatThrownBy(() -> numpy.restore(a.state())).hasMessageContaining("another order");
    assertThatThrownBy(() -> b.restore(numpy.state())).hasMessageContaining("another order");
  }

  @Test
  void tf1BatchesRefuseKerasOrder() {
    ImageSet tiny = new ImageSet(new byte[4], 1f, new int[4], 1, 1, 2);
    assertThatThrownBy(() -> new Batcher(tiny, 2, BatchOrder.KERAS, 1)).hasMessageContaining("numpy");
  }
}
