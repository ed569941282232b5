package org.rnnport.serve;

import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request's slot under a server's {@code --max-inflight}: taken with
 * {@link #tryAcquire}, given back exactly once by {@link #release} (idempotent), which every path
 * calls from a {@code finally} or a completion, whatever was thrown ({@link Error}s included).
 */
final class Slot {
  private final Semaphore permits;
  private final Metrics metrics;
  private final AtomicBoolean held = new AtomicBoolean(true);

  private Slot(Semaphore permits, Metrics metrics) {
    this.permits = permits;
    this.metrics = metrics;
  }

  /** A slot, or null when all are taken. */
  static Slot tryAcquire(Semaphore permits, Metrics metrics) {
    if (!permits.tryAcquire()) {
      return null;
    }
    metrics.inFlight.incrementAndGet();
    return new Slot(permits, metrics);
  }

  /** Gives the slot back; a second call does nothing. */
  void release() {
    if (held.compareAndSet(true, false)) {
      metrics.inFlight.decrementAndGet();
      permits.release();
    }
  }
}
