package org.rnnport.util;

/**
 * Test-only pause points: with {@code -Drnnport.test.pause=POINT} a run stops dead at that point
 * (prints {@code rnnport-test-paused POINT} on stderr and sleeps), so a test can SIGKILL it exactly
 * there. Points: {@code step:N} (after global step N), {@code checkpoint-write:N} (the checkpoint of
 * step N half renamed into place), {@code epoch-end:E} (after epoch E's checkpoint), {@code export:V} (an
 * export written to its temporary folder, not yet renamed), {@code predict-batch:N} (predict's Nth
 * batch written to its temporary output).
 */
public final class TestHooks {
  private static final String POINT = System.getProperty("rnnport.test.pause");

  private TestHooks() {}

  public static void pause(String point) {
    pause(point, () -> false);
  }

  /** As {@link #pause(String)}, returning when {@code released} says so (a stop was requested: SIGTERM tests). */
  public static void pause(String point, java.util.function.BooleanSupplier released) {
    if (POINT == null || !POINT.equals(point)) {
      return;
    }
    System.err.println("rnnport-test-paused " + point);
    System.err.flush();
    while (!released.getAsBoolean()) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
