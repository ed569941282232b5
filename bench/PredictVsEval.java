import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.rnnport.eval.Evaluator;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.predict.DatasetEval;
import org.rnnport.predict.PredictJob;

/**
 * {@code rnnport eval} against {@code rnnport predict} in one JVM, alternating, after warm-up rounds: the
 * two code paths at the JIT's steady state, without a JVM start-up in every measured window.
 *
 * <p>Why: a 10,000-row run measures 0.3 s, and a fresh JVM's C2 compiler is still compiling its start-up
 * code then (on 2 cores it takes CPU from TensorFlow). eval loads its split for ~0.25 s before its
 * clock starts, predict reads its rows inside the clock, so the two windows fall at different points of
 * that transient. Each call here is what the command runs: the model loaded (its own Session), the
 * warm-up call, the pipeline, the model closed; predict writes its npy output through a temp file.
 *
 * <p>Usage: java -cp 'rnnport-cli/target/rnnport.jar:rnnport-cli/target/lib/*' bench/PredictVsEval.java
 * MODEL DATA_DIR INPUT.npy OUT_DIR ROUNDS WORKERS [WARMUP_ROUNDS]
 */
public class PredictVsEval {
  public static void main(String[] a) throws Exception {
    Path model = Path.of(a[0]);
    Path data = Path.of(a[1]);
    Path input = Path.of(a[2]);
    Path outDir = Path.of(a[3]);
    int rounds = Integer.parseInt(a[4]);
    int workers = Integer.parseInt(a[5]);
    int warm = a.length > 6 ? Integer.parseInt(a[6]) : 3;
    List<Double> ev = new ArrayList<>();
    List<Double> pr = new ArrayList<>();
    List<Double> evS = new ArrayList<>();
    List<Double> prS = new ArrayList<>();
    for (int i = 0; i < warm + rounds; i++) {
      boolean count = i >= warm;
      for (int k = 0; k < 2; k++) {
        boolean evalNow = (k == 0) == (i % 2 == 0); // eval first in even rounds, predict first in odd ones
        if (evalNow) {
          Evaluator.Result r = DatasetEval.evaluate(model, data, 1000, 0, workers);
          if (count) {
            ev.add(r.samplesPerSecond());
            evS.add(r.inferenceSeconds());
          }
        } else {
          Path out = outDir.resolve("out.npy");
          Files.deleteIfExists(out);
          PredictJob.Options o = new PredictJob.Options(model, SavedModelExporter.TAG, SavedModelExporter.SIGNATURE,
              List.of(input), null, out, null, List.of("classes"), 1000, workers, 1, null, null, null, 0, false, null, null, Map.of());
          PredictJob.Summary s = PredictJob.run(o);
          if (count) {
            pr.add(s.outcome().samplesPerSecond());
            prS.add(s.outcome().inferenceSeconds());
          }
        }
      }
    }
    System.out.printf("workers=%d in one JVM, %d rounds after %d warm-up rounds: eval samples/s median %.0f "
        + "(Session calls %.3f s), predict %.0f (%.3f s); predict/eval %.3f%n", workers, rounds, warm, median(ev),
        median(evS), median(pr), median(prS), median(pr) / median(ev));
    System.out.println("  eval: " + round(ev));
    System.out.println("  predict: " + round(pr));
  }

  static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    Collections.sort(s);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  static List<Long> round(List<Double> v) {
    return v.stream().map(Math::round).toList();
  }
}
