package org.rnnport.serve;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** REST bodies go through Jackson's fast double parser: the same doubles as the JDK's, bit for bit. */
class JsonNumbersTest {
  @Test
  void restBodiesParseToTheJdksDoubles() throws Exception {
    java.util.Random r = new java.util.Random(5);
    List<String> t = new java.util.ArrayList<>(List.of("0", "-0.0", "0.1", "4.9e-324", "2.2250738585072011e-308",
        "1.7976931348623157e308", "0.30000000000000004", "3.4028236e38", "1e-46"));
    for (int i = 0; i < 20_000; i++) {
      t.add(switch (i % 4) {
        case 0 -> Double.toString(r.nextDouble());
        case 1 -> Double.toString(r.nextInt(256) / 255.0); // MNIST pixels as Python's json writes them
        case 2 -> "0." + Long.toUnsignedString(r.nextLong()) + r.nextInt(1_000_000); // 20-26 digits
        default -> (r.nextBoolean() ? "-" : "") + r.nextInt(100_000) + "." + r.nextInt(100_000) + "e" + (r.nextInt(600) - 300);
      });
    }
    JsonNode n = RestApi.JSON.readTree("{\"instances\": [" + String.join(",", t) + "]}").get("instances");
    JsonTensors.Dense d = JsonTensors.dense(n, "instances", false);
    for (int i = 0; i < t.size(); i++) {
      assertThat(Double.doubleToRawLongBits(d.values()[i])).as(t.get(i))
          .isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(t.get(i))));
    }
  }
}
