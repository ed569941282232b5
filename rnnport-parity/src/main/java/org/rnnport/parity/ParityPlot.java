package org.rnnport.parity;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.rnnport.util.Png;

/** The two loss curves of a parity run, overlaid (Python solid, Java dashed). */
final class ParityPlot {
  private ParityPlot() {}

  static void write(Path file, ParityReport rep) throws IOException {
    System.setProperty("java.awt.headless", "true");
    XYChart c = new XYChartBuilder().width(1000).height(450)
        .title("parity " + rep.model + ": per-step loss, Python vs Java").xAxisTitle("step").yAxisTitle("loss").build();
    c.getStyler().setChartBackgroundColor(Color.WHITE);
    c.getStyler().setYAxisDecimalPattern("0.###");
    add(c, "Python", rep.pythonLosses, new Color(31, 119, 180), null);
    add(c, "Java (TF Java)", rep.javaLosses, new Color(255, 127, 14),
        new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    Png.write(file, BitmapEncoder.getBufferedImage(c));
  }

  private static void add(XYChart c, String name, List<Float> ys, Color color, BasicStroke stroke) {
    double[] x = new double[ys.size()];
    double[] y = new double[ys.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = i + 1;
      y[i] = ys.get(i);
    }
    XYSeries s = c.addSeries(name, x, y);
    s.setMarker(SeriesMarkers.NONE);
    s.setLineColor(color);
    if (stroke != null) {
      s.setLineStyle(stroke);
    } else {
      s.setLineWidth(2f);
    }
  }
}
