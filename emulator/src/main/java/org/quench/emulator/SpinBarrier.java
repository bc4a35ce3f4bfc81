package org.quench.emulator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reusable barrier for a fixed set of threads that meet about a thousand times a second: it
 * spins briefly (the common case costs well under a microsecond) and then yields, so it stays
 * correct, if slower, when there are more threads than processors.
 *
 * <p>Memory effects: everything a thread wrote before {@link #await()} is visible to every thread
 * after it returns (atomic increment, then a volatile generation write read by the waiters).
 */
final class SpinBarrier {
  private static final int SPINS_BEFORE_YIELD = 1 << 12;
  private final int parties;
  private final AtomicInteger arrived = new AtomicInteger();
  private volatile int generation;

  SpinBarrier(int parties) {
    this.parties = parties;
  }

  void await() {
    if (parties == 1) {
      return;
    }
    int g = generation;
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0);
      generation = g + 1;
      return;
    }
    int spins = 0;
    while (generation == g) {
      if (spins < SPINS_BEFORE_YIELD) {
        spins++;
        Thread.onSpinWait();
      } else {
        Thread.yield();
      }
    }
  }
}
