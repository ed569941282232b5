package org.rnnport.predictor;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.rnnport.tensorio.HostTensor;
import org.rnnport.tensorio.WrongTypeException;

/**
 * The answer of {@link SavedModelPredictor#predict}: each output's values, read through typed accessors
 * ({@code longs("classes")}, {@code floats2d("probabilities")}, ...). A typed read that does not match the output's
 * dtype or rank throws {@link WrongTypeException} naming the output, its dtype and its shape. As a
 * {@code Map<String, Object>} it maps each key to the output as a Java array of its dtype's carrier (see
 * {@link HostTensor}), for code written against the untyped answer.
 *
 * <pre>{@code
 * Prediction out = predictor.predict(Map.of("input_X", images));
 * long[] classes = out.longs("classes");
 * float[][] probabilities = out.floats2d("probabilities");
 * }</pre>
 */
public final class Prediction extends AbstractMap<String, Object> {
  private final Map<String, HostTensor> outputs;

  /**
   * An answer of these outputs.
   *
   * @param outputs the values by key (kept)
   */
  public Prediction(Map<String, HostTensor> outputs) {
    this.outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
  }

  /**
   * An output's values.
   *
   * @param key the output key
   * @return its values
   * @throws IllegalArgumentException naming the keys there are, for an unknown key
   */
  public HostTensor tensor(String key) {
    HostTensor t = outputs.get(key);
    if (t == null) {
      throw new IllegalArgumentException("no output '" + key + "'; the answer has " + outputs.keySet());
    }
    return t;
  }

  /**
   * Every output's values, by key.
   *
   * @return an unmodifiable map
   */
  public Map<String, HostTensor> tensors() {
    return outputs;
  }

  /**
   * A float16, bfloat16 or float32 output's values, row-major.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype
   */
  public float[] floats(String key) {
    return tensor(key).floats();
  }

  /**
   * A float16, bfloat16 or float32 matrix output.
   *
   * @param key the output key
   * @return the rows
   * @throws WrongTypeException for another dtype or rank
   */
  public float[][] floats2d(String key) {
    return tensor(key).floats2d();
  }

  /**
   * A float16, bfloat16 or float32 output of rank 3.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype or rank
   */
  public float[][][] floats3d(String key) {
    return tensor(key).floats3d();
  }

  /**
   * A float64 output's values, row-major.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype
   */
  public double[] doubles(String key) {
    return tensor(key).doubles();
  }

  /**
   * A float64 matrix output.
   *
   * @param key the output key
   * @return the rows
   * @throws WrongTypeException for another dtype or rank
   */
  public double[][] doubles2d(String key) {
    return tensor(key).doubles2d();
  }

  /**
   * An int32, uint8 or uint16 output's values, row-major.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype
   */
  public int[] ints(String key) {
    return tensor(key).ints();
  }

  /**
   * An int32, uint8 or uint16 matrix output.
   *
   * @param key the output key
   * @return the rows
   * @throws WrongTypeException for another dtype or rank
   */
  public int[][] ints2d(String key) {
    return tensor(key).ints2d();
  }

  /**
   * An int64, uint32 or uint64 (its bits) output's values, row-major.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype
   */
  public long[] longs(String key) {
    return tensor(key).longs();
  }

  /**
   * An int64, uint32 or uint64 matrix output.
   *
   * @param key the output key
   * @return the rows
   * @throws WrongTypeException for another dtype or rank
   */
  public long[][] longs2d(String key) {
    return tensor(key).longs2d();
  }

  /**
   * A bool output's values, row-major.
   *
   * @param key the output key
   * @return the values
   * @throws WrongTypeException for another dtype
   */
  public boolean[] booleans(String key) {
    return tensor(key).booleans();
  }

  /**
   * A string output's elements, row-major.
   *
   * @param key the output key
   * @return one byte array per element
   * @throws WrongTypeException for another dtype
   */
  public byte[][] strings(String key) {
    return tensor(key).strings();
  }

  /**
   * An output as a Java array of its dtype's carrier ({@link HostTensor#toArray()}), or null for an unknown key.
   *
   * @param key the output key
   * @return the nested array, a boxed scalar for rank 0
   */
  @Override
  public Object get(Object key) {
    HostTensor t = outputs.get(key);
    return t == null ? null : t.toArray();
  }

  @Override
  public boolean containsKey(Object key) {
    return outputs.containsKey(key);
  }

  @Override
  public Set<Entry<String, Object>> entrySet() {
    Map<String, Object> m = new LinkedHashMap<>();
    outputs.forEach((k, t) -> m.put(k, t.toArray()));
    return Collections.unmodifiableMap(m).entrySet();
  }
}
