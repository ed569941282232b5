package org.rnnport.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loss PNG for runs that lack a series: no validation, or stopped inside the first epoch. */
class LossPlotTest {

  @Test
  void trainVsTestWithoutValidationPlotsTheTrainLoss(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("loss.png");
    LossPlot.writeTrainVsTest(png, "reuters-lstm", List.of(2.1, 1.7, 1.5), List.of());
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(900);
  }

  @Test
  void aValidationCurveCutShortByAnInterruptPlotsWhatThereIs(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("loss.png");
    LossPlot.writeTrainVsTest(png, "reuters-lstm", List.of(2.1, 1.7, 1.5), List.of(2.0, 1.8));
    assertThat(ImageIO.read(png.toFile())).isNotNull();
  }

  @Test
  void aRunStoppedInsideItsFirstEpochPlotsItsBatches(@TempDir Path dir) throws Exception {
    Path png = dir.resolve("loss.png");
    LossPlot.write(png, "mnist-rnn", List.of(), List.of(2.3f, 2.2f, 2.0f), List.of());
    BufferedImage img = ImageIO.read(png.toFile());
    assertThat(img.getWidth()).isEqualTo(1000);
  }
}
