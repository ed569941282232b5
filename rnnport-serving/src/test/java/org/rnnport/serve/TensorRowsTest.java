package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.StdArrays;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/** Concatenating, slicing and padding rows of tensors through their bytes. */
class TensorRowsTest {
  @Test
  void concatSliceAndPad() {
    try (TInt32 a = TInt32.tensorOf(StdArrays.ndCopyOf(new int[][] {{1, 2, 3}}));
         TInt32 b = TInt32.tensorOf(StdArrays.ndCopyOf(new int[][] {{4, 5, 6}, {7, 8, 9}}));
         Tensor ab = TensorRows.concat(List.of(a, b), 1);
         Tensor mid = TensorRows.slice(ab, 1, 2)) {
      assertThat(StdArrays.array2dCopyOf((TInt32) ab)).isDeepEqualTo(new int[][] {{1, 2, 3}, {4, 5, 6}, {7, 8, 9},
          {0, 0, 0}});
      assertThat(StdArrays.array2dCopyOf((TInt32) mid)).isDeepEqualTo(new int[][] {{4, 5, 6}, {7, 8, 9}});
    }
    try (TFloat32 s = TFloat32.tensorOf(StdArrays.ndCopyOf(new float[][][] {{{1, 2}}, {{3, 4}}}));
         Tensor p = TensorRows.padTo(s, new long[] {2, 3})) {
      assertThat(p.shape().asArray()).containsExactly(2, 2, 3);
      assertThat(StdArrays.array3dCopyOf((TFloat32) p)).isDeepEqualTo(new float[][][] {
          {{1, 2, 1}, {1, 1, 1}}, {{3, 4, 1}, {1, 1, 1}}});
    }
  }
}
