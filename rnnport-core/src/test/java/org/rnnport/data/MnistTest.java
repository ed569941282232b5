package org.rnnport.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.rnnport.TestData;

class MnistTest {

  @Test
  void splitsLikeTf1InputData() {
    Mnist m = TestData.mnist();
    assertThat(m.train().size()).isEqualTo(55000);
    assertThat(m.validation().size()).isEqualTo(5000);
    assertThat(m.test().size()).isEqualTo(10000);
    // validation = the first 5,000 training images, so it starts with the file's first labels
    assertThat(java.util.Arrays.copyOf(m.validation().labels(), 10)).containsExactly(5, 0, 4, 1, 9, 2, 1, 3, 1, 4);
    assertThat(m.test().labels()[0]).isEqualTo(7);
  }

  @Test
  void pixelsAreFloat32TimesFloat32OneOver255() {
    Mnist m = TestData.mnist();
    float max = 0;
    for (float p : m.test().pixels()) {
      assertThat(p).isBetween(0f, 1f);
      max = Math.max(max, p);
    }
    assertThat(max).isEqualTo(255f * (float) (1.0 / 255.0));
    // numpy: images.astype(float32) * (1.0/255.0) stays float32, so 128 -> 128f * 0.003921569f
    float expected = 128f * 0.003921569f;
    boolean found = false;
    for (float p : m.test().pixels()) {
      if (Math.abs(p - 128f / 255f) < 1e-6) {
        assertThat(Float.floatToIntBits(p)).isEqualTo(Float.floatToIntBits(expected));
        found = true;
        break;
      }
    }
    assertThat(found).isTrue();
  }
}
