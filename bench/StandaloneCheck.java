import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * bench/spark-standalone.sh's checker (run as a source file, on local[1]): for each scored Parquet folder given
 * (columns id, label, pred_classes), prints its row count, its accuracy (label == pred_classes) and how many
 * rows' classes differ from the first folder's. Exits 1 if a folder has another row count than EXPECTED_ROWS,
 * an accuracy at or below 0.95, or classes that differ from the first folder's.
 *   java -cp 'spark/target/spark-lib/*' bench/StandaloneCheck.java EXPECTED_ROWS OUT1 [OUT2 ...]
 */
public final class StandaloneCheck {
  public static void main(String[] args) {
    long expected = Long.parseLong(args[0]);
    SparkSession spark = SparkSession.builder().master("local[1]").appName("rnnport standalone check")
        .config("spark.ui.enabled", "false").getOrCreate();
    boolean ok = true;
    try {
      Dataset<Row> first = null;
      List<String> lines = new ArrayList<>();
      for (int i = 1; i < args.length; i++) {
        Dataset<Row> d = spark.read().parquet(args[i]).select("id", "label", "pred_classes");
        long rows = d.count();
        long right = d.filter("label = pred_classes").count();
        double acc = rows == 0 ? 0 : (double) right / rows;
        long differ = 0;
        if (first == null) {
          first = d;
        } else {
          differ = d.alias("b").join(first.alias("a"), "id").filter("a.pred_classes <> b.pred_classes").count();
        }
        boolean good = rows == expected && acc > 0.95 && differ == 0;
        ok &= good;
        lines.add(String.format("%s %s: %d rows (expected %d), accuracy %.4f, %d rows' classes differ from %s",
            good ? "OK  " : "FAIL", args[i], rows, expected, acc, differ, args[1]));
      }
      List<Row> sample = first.orderBy("id").limit(10).collectAsList();
      StringBuilder s = new StringBuilder("sample of " + args[1] + " (id label pred_classes):");
      for (Row r : sample) {
        s.append(String.format(" [%d %d %d]", r.getLong(0), r.getInt(1), r.getLong(2)));
      }
      lines.forEach(System.out::println);
      System.out.println(s);
    } finally {
      spark.stop();
    }
    System.exit(ok ? 0 : 1);
  }
}
