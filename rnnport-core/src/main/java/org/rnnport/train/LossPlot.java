package org.rnnport.train;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rnnport.util.Png;

/**
 * The notebooks' loss figure ({@code plt.subplots(1, 2, figsize=(20, 5))}): per-epoch cost on the
 * left, per-batch cost on the right, thin lines; written as one PNG, atomically.
 */
public final class LossPlot {
  private LossPlot() {}

  public static void write(Path file, String title, List<Double> epochCost, List<Float> batchCost) throws IOException {
    write(file, title, epochCost, batchCost, List.of());
  }

  /** As {@link #write(Path, String, List, List)}, with the validation loss per epoch (orange) in the left panel. */
  public static void write(Path file, String title, List<Double> epochCost, List<Float> batchCost, List<Double> valLoss)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    if (epochCost.isEmpty()) { // stopped inside the first epoch: the batches alone
      Png.write(file, BitmapEncoder.getBufferedImage(chart(title + ": cost per batch", "batch",
          batchCost.stream().mapToDouble(Float::doubleValue).toArray())));
      return;
    }
    XYChart epochs = chart(title + ": cost per epoch", "epoch",
        epochCost.stream().mapToDouble(Double::doubleValue).toArray());
    if (!valLoss.isEmpty()) {
      double[] x = new double[valLoss.size()];
      for (int i = 0; i < x.length; i++) {
        x[i] = i;
      }
      epochs.getStyler().setLegendVisible(true);
      epochs.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
      epochs.getSeriesMap().get("cost").setLabel("train");
      XYSeries v = epochs.addSeries("validation", x, valLoss.stream().mapToDouble(Double::doubleValue).toArray());
      v.setMarker(SeriesMarkers.NONE);
      v.setLineColor(new Color(255, 127, 14));
    }
    BufferedImage right = BitmapEncoder.getBufferedImage(chart(title + ": cost per batch", "batch",
        batchCost.stream().mapToDouble(Float::doubleValue).toArray()));
    BufferedImage left = BitmapEncoder.getBufferedImage(epochs);
    BufferedImage both = new BufferedImage(left.getWidth() + right.getWidth(),
        Math.max(left.getHeight(), right.getHeight()), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = both.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, both.getWidth(), both.getHeight());
    g.drawImage(left, 0, 0, null);
    g.drawImage(right, left.getWidth(), 0, null);
    g.dispose();
    Png.write(file, both);
  }

  /**
   * The Reuters notebook's figure: test loss (red) and train loss (blue) per epoch, with markers,
   * legend upper right, grid.
   */
  public static void writeTrainVsTest(Path file, String title, List<Double> trainLoss, List<Double> testLoss)
      throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart c = new XYChartBuilder().width(900).height(600).title(title + ": loss per epoch").xAxisTitle("epoch")
        .yAxisTitle("loss").build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setLegendPosition(org.knowm.xchart.style.Styler.LegendPosition.InsideNE);
    c.getStyler().setYAxisDecimalPattern("0.##");
    c.getStyler().setXAxisDecimalPattern("0");
    double[] x = new double[trainLoss.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i;
    }
    if (!testLoss.isEmpty()) { // none with --no-validation: the train loss alone
      double[] tx = java.util.Arrays.copyOf(x, Math.min(x.length, testLoss.size()));
      XYSeries test = c.addSeries("Testset_loss", tx,
          testLoss.stream().limit(tx.length).mapToDouble(Double::doubleValue).toArray());
      test.setLineColor(Color.RED);
      test.setMarkerColor(Color.RED);
      test.setMarker(SeriesMarkers.CIRCLE);
    }
    XYSeries train = c.addSeries("Trainset_loss", x, trainLoss.stream().mapToDouble(Double::doubleValue).toArray());
    train.setLineColor(Color.BLUE);
    train.setMarkerColor(Color.BLUE);
    train.setMarker(SeriesMarkers.CIRCLE);
    Png.write(file, BitmapEncoder.getBufferedImage(c));
  }

  private static XYChart chart(String title, String xLabel, double[] y) {
    XYChart c = new XYChartBuilder().width(1000).height(400).title(title).xAxisTitle(xLabel)
        .yAxisTitle("cost").build();
    c.getStyler().setLegendVisible(false);
    c.getStyler().setYAxisDecimalPattern("0.###");
    c.getStyler().setXAxisDecimalPattern("0");
    c.getStyler().setXAxisTickMarkSpacingHint(120);
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    double[] x = new double[y.length];
    for (int i = 0; i < y.length; i++) {
      x[i] = i;
    }
    if (y.length == 0) {
      x = new double[] {0};
      y = new double[] {0};
    }
    XYSeries s = c.addSeries("cost", x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineWidth(y.length > 200 ? 0.6f : 1.5f);
    s.setLineColor(new Color(31, 119, 180));
    return c;
  }
}
