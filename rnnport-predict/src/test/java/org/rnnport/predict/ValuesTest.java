package org.rnnport.predict;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Numbers as CSV and JSON Lines write them: Jackson's fast parser gives the JDK's values, bit for bit. */
class ValuesTest {
  /** Decimal texts of every kind: shortest reprs, long and over-long digit strings, exponents, edges. */
  static List<String> texts() {
    java.util.Random r = new java.util.Random(11);
    List<String> t = new java.util.ArrayList<>(List.of("0", "-0.0", "1", "0.1", "1e-45", "1.4e-45", "3.4028235e38",
        "3.4028236e38", "4.9e-324", "2.2250738585072011e-308", "2.2250738585072012e-308", "1.7976931348623157e308",
        "0.30000000000000004", "9007199254740993", "123456789012345678901234567890", "1E400", "-1e-400", " 0.5 "));
    for (int i = 0; i < 20_000; i++) {
      t.add(switch (i % 5) {
        case 0 -> Double.toString(r.nextDouble());
        case 1 -> Float.toString(r.nextFloat() * (float) Math.pow(10, r.nextInt(60) - 30));
        case 2 -> Double.toString((r.nextInt(256) / 255.0)); // MNIST pixels as Python writes them
        case 3 -> "0." + Long.toUnsignedString(r.nextLong()) + r.nextInt(1_000_000); // 20-26 digits
        default -> (r.nextBoolean() ? "-" : "") + r.nextInt(100_000) + "." + r.nextInt(100_000) + "e" + (r.nextInt(700) - 350);
      });
    }
    return t;
  }

  @Test
  void float32AndFloat64ParseToTheJdksBits() {
    List<String> t = texts();
    Values f = new Values(DType.FLOAT32, 4, Path.of("x.csv"), "row 1", "input_X");
    Values d = new Values(DType.FLOAT64, 4, Path.of("x.csv"), "row 1", "input_X");
    for (String s : t) {
      f.addText(s);
      d.addText(s);
    }
    float[] fs = (float[]) f.toColumn(new long[0], t.size()).data();
    double[] ds = (double[]) d.toColumn(new long[0], t.size()).data();
    for (int i = 0; i < t.size(); i++) {
      String s = t.get(i).trim();
      assertThat(Float.floatToRawIntBits(fs[i])).as(s).isEqualTo(Float.floatToRawIntBits(Float.parseFloat(s)));
      assertThat(Double.doubleToRawLongBits(ds[i])).as(s).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(s)));
    }
  }

  @Test
  void aNonNumberIsNamedWithItsFileRowAndKey() {
    Values v = new Values(DType.FLOAT32, 4, Path.of("in.csv"), "row 7", "input_X");
    assertThatThrownBy(() -> v.addText("0.5x")).isInstanceOf(InputException.class)
        .hasMessageContaining("in.csv").hasMessageContaining("row 7").hasMessageContaining("input_X")
        .hasMessageContaining("'0.5x' is not a number");
  }
}
