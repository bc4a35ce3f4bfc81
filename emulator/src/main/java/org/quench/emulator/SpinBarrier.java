package org.quench.emulator;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A reusable barrier for a fixed set of threads that meet about a thousand times a second: a
 * waiter spins briefly (the common case, well under a microsecond when every thread has a
 * processor), then yields, then blocks, so it stays cheap when threads outnumber processors.
 *
 * <p>Memory effects: everything a thread wrote before {@link #await()} is visible to every thread
 * after it returns (atomic increment, then a volatile generation write read by the waiters).
 */
final class SpinBarrier {
  private static final int SPINS = 1 << 10;
  private static final int YIELDS = 64;
  private final int parties;
  private final AtomicInteger arrived = new AtomicInteger();
  private final AtomicInteger sleepers = new AtomicInteger();
  private final Object lock = new Object();
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
      // Dekker-style: a sleeper increments sleepers before re-reading generation, we write
      // generation before reading sleepers, so one of us sees the other.
      if (sleepers.get() > 0) {
        synchronized (lock) {
          lock.notifyAll();
        }
      }
      return;
    }
    for (int i = 0; i < SPINS; i++) {
      if (generation != g) {
        return;
      }
      Thread.onSpinWait();
    }
    for (int i = 0; i < YIELDS; i++) {
      if (generation != g) {
        return;
      }
      Thread.yield();
    }
    synchronized (lock) {
      sleepers.incrementAndGet();
      try {
        while (generation == g) {
          lock.wait();
        }
      } catch (InterruptedException e) {
        // Worker threads are never interrupted; keep the flag and finish the barrier by spinning.
        Thread.currentThread().interrupt();
        while (generation == g) {
          Thread.onSpinWait();
        }
      } finally {
        sleepers.decrementAndGet();
      }
    }
  }
}
