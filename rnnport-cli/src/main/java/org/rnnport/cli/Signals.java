package org.rnnport.cli;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * SIGTERM and SIGINT for a daemon's contract (docs/operations.md): the first signal runs the
 * running command's stop action (serve: stop accepting and drain; train: stop after the current
 * step with a checkpoint; predict: abandon the output), on its own thread, and the command exits
 * as it says (serve 0); a second signal runs the registered quick clean-ups (temporary files) and
 * exits at once with 128 + the signal's number, skipping shutdown hooks. With no stop action
 * registered, the first signal exits as the JVM would (128 + number, shutdown hooks run).
 *
 * <p>Installed only by {@link Main#main} (a real process); commands run in a test JVM register
 * their actions, which nothing then calls.
 */
final class Signals {
  private static final AtomicReference<Runnable> STOP = new AtomicReference<>();
  private static final List<Runnable> ON_HALT = new CopyOnWriteArrayList<>();
  private static final AtomicInteger RECEIVED = new AtomicInteger();
  private static volatile int firstNumber;

  private Signals() {}

  /** Installs the handlers for TERM and INT (once, from main). */
  static void install() {
    for (String name : List.of("TERM", "INT")) {
      try {
        sun.misc.Signal.handle(new sun.misc.Signal(name), Signals::received);
      } catch (IllegalArgumentException e) {
        // the signal is ignored by the parent (nohup, a shell's background job) or reserved: keep the JVM's way
      }
    }
  }

  /** The action the first signal runs (the last registered wins); null clears it. */
  static void onStop(Runnable action) {
    STOP.set(action);
  }

  /** A quick clean-up (e.g. removing a temporary file) a second signal runs before exiting at once. */
  static void onHalt(Runnable cleanup) {
    ON_HALT.add(cleanup);
  }

  static void removeOnHalt(Runnable cleanup) {
    ON_HALT.remove(cleanup);
  }

  /** 128 + the first signal's number, or 0 when none came. */
  static int exitCode() {
    return firstNumber == 0 ? 0 : 128 + firstNumber;
  }

  /** Whether a stop signal came. */
  static boolean stopRequested() {
    return RECEIVED.get() > 0;
  }

  private static void received(sun.misc.Signal s) {
    int n = RECEIVED.incrementAndGet();
    if (n == 1) {
      firstNumber = s.getNumber();
      Runnable stop = STOP.get();
      System.err.println("rnnport: SIG" + s.getName() + " received: " + (stop == null ? "exiting"
          : "stopping cleanly (a second signal exits at once)"));
      System.err.flush();
      Thread t = new Thread(stop != null ? stop : () -> System.exit(128 + s.getNumber()), "rnnport-signal");
      t.setDaemon(false);
      t.start();
      return;
    }
    if (n == 2) {
      System.err.println("rnnport: second signal (SIG" + s.getName() + "): exiting now, without finishing");
      System.err.flush();
      for (Runnable r : ON_HALT) {
        try {
          r.run();
        } catch (RuntimeException e) {
          // best effort: the process ends now
        }
      }
      Runtime.getRuntime().halt(128 + s.getNumber());
    }
  }
}
