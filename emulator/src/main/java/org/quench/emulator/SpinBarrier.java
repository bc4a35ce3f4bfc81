package org.quench.emulator;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * A reusable barrier for a fixed set of threads that meet once per step, up to thousands of times
 * a second. A waiter spins for at most {@value #SPIN_NANOS} ns (the common case when every thread
 * has a processor: the others arrive within microseconds), then parks until the last arrival
 * unparks it. Parking early matters when threads outnumber processors: a spinning waiter would
 * burn the time slice the thread it waits for needs.
 *
 * <p>Each party calls {@link #await(int)} with its own fixed id (0..parties-1), which names its
 * parking slot; only that thread writes the slot, so a late clear can never hide a newer waiter.
 *
 * <p>Memory effects: everything a thread wrote before {@link #await(int)} is visible to every
 * thread after it returns (atomic increment, then a volatile generation write read by the waiters).
 */
final class SpinBarrier {
  /** Longest spin before parking, ns: well above a balanced step's skew, well below a time slice. */
  static final long SPIN_NANOS = 50_000;
  private static final int SPINS_PER_CLOCK_READ = 64;
  private final int parties;
  private final AtomicInteger arrived = new AtomicInteger();
  private final AtomicReferenceArray<Thread> parked;
  private volatile int generation;

  SpinBarrier(int parties) {
    this.parties = parties;
    this.parked = new AtomicReferenceArray<>(parties);
  }

  void await(int id) {
    if (parties == 1) {
      return;
    }
    int g = generation;
    if (arrived.incrementAndGet() == parties) {
      arrived.set(0);
      generation = g + 1;
      // Dekker-style: a waiter publishes its slot before re-reading generation, we write
      // generation before reading the slots, so either it sees the new generation or we see it.
      for (int i = 0; i < parties; i++) {
        Thread t = parked.get(i);
        if (t != null) {
          LockSupport.unpark(t);
        }
      }
      return;
    }
    long start = System.nanoTime();
    while (true) {
      for (int i = 0; i < SPINS_PER_CLOCK_READ; i++) {
        if (generation != g) {
          return;
        }
        Thread.onSpinWait();
      }
      if (System.nanoTime() - start > SPIN_NANOS) {
        break;
      }
    }
    parked.set(id, Thread.currentThread());
    // A stale permit (from an unpark that raced with an earlier wake-up) only makes park return
    // early; the loop re-checks the generation.
    while (generation == g) {
      LockSupport.park(this);
    }
    parked.set(id, null);
  }
}
