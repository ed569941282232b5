package org.rnnport.util;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/** Progress bars on stderr (stdout stays for results), switched off with RNNPORT_NO_PROGRESS=1. */
public final class Progress {
  private Progress() {}

  public static boolean enabled() {
    return !"1".equals(System.getenv("RNNPORT_NO_PROGRESS"))
        && !Boolean.getBoolean("rnnport.noProgress");
  }

  /** A bar of {@code total} units; close it (try-with-resources). */
  public static ProgressBar bar(String task, long total, String unit, long unitSize) {
    ProgressBarBuilder b = new ProgressBarBuilder()
        .setTaskName(task)
        .setInitialMax(total)
        .setStyle(ProgressBarStyle.ASCII)
        .setUpdateIntervalMillis(250)
        .setConsumer(new ConsoleProgressBarConsumer(System.err))
        .continuousUpdate();
    if (unit != null) {
      b.setUnit(unit, unitSize).showSpeed();
    }
    if (!enabled()) {
      b.setConsumer(new me.tongfei.progressbar.DelegatingProgressBarConsumer(s -> { }));
    }
    return b.build();
  }
}
