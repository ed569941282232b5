package org.rnnport.train;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT/SIGTERM) asks a running job to stop at the next step; the JVM then waits (up to
 * a minute) for the job to close its sessions and finish or abandon its writes, so nothing is
 * left half-written.
 */
public final class StopSignal implements AutoCloseable {
  private final AtomicBoolean requested = new AtomicBoolean();
  private final CountDownLatch finished = new CountDownLatch(1);
  private final Thread hook;

  private StopSignal(boolean install) {
    if (install) {
      hook = new Thread(() -> {
        requested.set(true);
        System.err.println("\nstopping: finishing the current step (Ctrl-C again does not speed this up)");
        try {
          finished.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "rnnport-stop");
      Runtime.getRuntime().addShutdownHook(hook);
    } else {
      hook = null;
    }
  }

  /** A signal tied to the JVM's shutdown (Ctrl-C). */
  public static StopSignal onShutdown() {
    return new StopSignal(true);
  }

  /** A signal only {@link #request()} sets (tests, library use). */
  public static StopSignal manual() {
    return new StopSignal(false);
  }

  public boolean requested() {
    return requested.get();
  }

  public void request() {
    requested.set(true);
  }

  /** Marks the job finished; removes the hook when the JVM is not already shutting down. */
  @Override
  public void close() {
    finished.countDown();
    if (hook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that we are finished
      }
    }
  }
}
