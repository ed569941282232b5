package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NumpyRandomStateTest {

  @Test
  void mt19937MatchesTheReferenceSequence() {
    // init_genrand(5489): the first outputs of the reference mt19937ar.c
    NumpyRandomState r = new NumpyRandomState(5489);
    assertThat(r.nextUint32()).isEqualTo(3499211612L);
    assertThat(r.nextUint32()).isEqualTo(581869302L);
    assertThat(r.nextUint32()).isEqualTo(3890346734L);
  }

  @Test
  void shuffleMatchesKerasReutersPermutation() {
    // np.random.RandomState(113).shuffle(arange(11228)), from shared/data/README.md
    int[] p = new NumpyRandomState(113).permutation(11228);
    assertThat(java.util.Arrays.copyOf(p, 10))
        .containsExactly(1341, 4427, 5095, 2044, 3024, 1792, 1931, 2375, 2080, 9868);
  }

  @Test
  void boundedIntegersStayInRange() {
    NumpyRandomState r = new NumpyRandomState(1);
    for (int max : new int[] {1, 2, 3, 7, 100, 54999}) {
      for (int i = 0; i < 1000; i++) {
        assertThat(r.randomInterval(max)).isBetween(0L, (long) max);
      }
    }
  }
}
