package org.rnnport.train;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import me.tongfei.progressbar.ProgressBar;
import org.rnnport.data.Reuters;
import org.rnnport.data.SequenceBatches;
import org.rnnport.data.SequenceSet;
import org.rnnport.export.Checkpoint;
import org.rnnport.export.ModelInfo;
import org.rnnport.export.SavedModelExporter;
import org.rnnport.export.Versions;
import org.rnnport.models.NotebookModel;
import org.rnnport.nn.SeedSource;
import org.rnnport.util.Json;
import org.rnnport.util.Progress;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Keras {@code model.fit(x, y, batch_size, epochs, validation_data=(x_test, y_test))} for the Reuters
 * notebook: per epoch a shuffled pass in batches (the last one smaller), training loss and accuracy
 * averaged over the examples as Keras' progress bar shows them, then val_loss and val_accuracy on
 * the test split; Keras' epoch line; the notebook's train-vs-test loss plot.
 */
public final class KerasFit {
  private KerasFit() {}

  /** Mean loss and accuracy of a model on a whole split, in batches (Keras evaluate). */
  public static double[] evaluate(Trainer t, SequenceSet d, int batchSize) {
    double loss = 0;
    long correct = 0;
    for (int from = 0; from < d.size(); from += batchSize) {
      int n = Math.min(batchSize, d.size() - from);
      try (TInt32 x = SequenceBatches.range(d, from, n); TFloat32 y = SequenceBatches.rangeLabels(d, from, n)) {
        Trainer.BatchResult r = t.runBatch(x, y, false);
        loss += (double) r.loss() * n;
        for (int i = 0; i < n; i++) {
          if (r.classes()[i] == d.labels()[from + i]) {
            correct++;
          }
        }
      }
    }
    return new double[] {loss / d.size(), (double) correct / d.size()};
  }

  public static History run(NotebookModel model, TrainOptions o, StopSignal stop, PrintStream out) throws IOException {
    History h = TrainingRun.start(model, o);
    h.hyperparameters.put("data", "reuters.load_data(num_words=1000, test_split=0.2), pad_sequences(maxlen=100)");

    Reuters.Padded data = Reuters.notebook(o.dataDir());
    List<Double> accuracy = new ArrayList<>();
    List<Double> valLoss = new ArrayList<>();
    List<Double> valAccuracy = new ArrayList<>();
    h.epochMetrics.put("accuracy", accuracy);
    h.epochMetrics.put("val_loss", valLoss);
    h.epochMetrics.put("val_accuracy", valAccuracy);
    long t0 = System.nanoTime();
    try (Trainer t = new Trainer(model, SeedSource.tf1GraphSeed(o.seed()), o.learningRate(), o.threads(), o.device())) {
      Checkpoint modelVars = new Checkpoint(Ops.create(t.graph()), "rnnport_export", t.modelGraph().modelVariables());
      t.initialize();
      if (o.initCheckpoint() != null) {
        modelVars.restore(t.session(), o.initCheckpoint().toString());
      }
      SequenceBatches batches = new SequenceBatches(data.train(), o.batchSize(), o.order(), o.seed() & 0xffffffffL);
      int steps = batches.batchesPerEpoch();
      epochs:
      for (int epoch = 1; epoch <= o.epochs(); epoch++) {
        long e0 = System.nanoTime();
        batches.startEpoch();
        double lossSum = 0;
        long correct = 0;
        int seen = 0;
        try (ProgressBar pb = Progress.bar(String.format("Epoch %d/%d", epoch, o.epochs()), steps, null, 1)) {
          for (int b = 0; b < steps; b++) {
            if (stop.requested()) {
              h.interrupted = true;
              break epochs;
            }
            int n = batches.size(b);
            Trainer.BatchResult r;
            try (TInt32 x = batches.x(b); TFloat32 y = batches.y(b)) {
              r = t.runBatch(x, y, true);
            }
            h.batchCost.add(r.loss());
            lossSum += (double) r.loss() * n;
            for (int i = 0; i < n; i++) {
              if (r.classes()[i] == batches.label(b, i)) {
                correct++;
              }
            }
            seen += n;
            pb.step();
            pb.setExtraMessage(String.format(" loss: %.4f - accuracy: %.4f", lossSum / seen, (double) correct / seen));
          }
        }
        if (epoch == 1) {
          h.devicesUsed = t.devicesUsed();
        }
        double[] val = evaluate(t, data.test(), o.batchSize());
        double secs = (System.nanoTime() - e0) / 1e9;
        h.epochCost.add(lossSum / seen);
        accuracy.add((double) correct / seen);
        valLoss.add(val[0]);
        valAccuracy.add(val[1]);
        out.printf("Epoch %d/%d%n%d/%d - %.0fs - loss: %.4f - accuracy: %.4f - val_loss: %.4f - val_accuracy: %.4f%n",
            epoch, o.epochs(), steps, steps, secs, lossSum / seen, (double) correct / seen, val[0], val[1]);
      }
      double trainSeconds = (System.nanoTime() - t0) / 1e9;
      h.timings.put("trainSeconds", trainSeconds);
      if (!h.interrupted) {
        double[] test = evaluate(t, data.test(), o.batchSize());
        h.results.put("testAccuracy", test[1]);
        h.results.put("testLoss", test[0]);
        // the notebook's model.evaluate(X_test, Y_test) ran on the unpadded lists (a bug); this is the padded test set
        out.printf("%n Test Accuracy: %.4f%n", test[1]);
        TrainingRun.export(model, t, modelVars, o, h, test[1], trainSeconds, out);
      } else {
        out.println("\ninterrupted: history written, nothing exported");
      }
    } finally {
      h.timings.putIfAbsent("trainSeconds", (System.nanoTime() - t0) / 1e9);
      Json.write(o.runDir().resolve("history.json"), h);
      if (!h.epochCost.isEmpty()) {
        LossPlot.writeTrainVsTest(o.runDir().resolve("loss.png"), model.name(), h.epochCost, valLoss);
      }
    }
    return h;
  }
}
