package org.quench.emulator;

import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads that step a set of cores. In each step every core is stepped by exactly one worker:
 * the workers take cores one at a time from a shared counter (heaviest first) until none is left,
 * then meet at a barrier. A core's step is its phase 2 of the previous step (delivering spikes
 * into its delay line, pulling from any core's spike bitmap) fused with its phase 1 (the neuron
 * update; see {@link #stepLoop}). A core's step reads and writes only that core's arrays (and
 * reads the other cores' spikes of the previous step, fixed since the barrier), and integer sums
 * do not depend on the order of addition, so the result is the same bits for any thread count
 * and whichever worker takes a core. The calling thread is worker 0; the others wait on a
 * semaphore between runs.
 *
 * <p>Why take cores from a counter rather than give each worker a fixed share: a fixed share
 * makes every step as long as its slowest worker, and on a shared machine a worker's processor
 * is taken away for a while now and then; with a counter the other worker takes over the cores
 * that are left, and only the core in hand waits. It also evens out cores of unequal work.
 */
final class StepWorkers implements AutoCloseable {
  private final EmulatedCore[] cores;
  /** All cores, heaviest first: the order in which workers take them in each step. */
  private final int[] order;
  private final int workers;
  /** Next index into {@link #order} to take, one counter per step parity (see {@link #stepLoop}). */
  private final AtomicInteger[] next = {new AtomicInteger(), new AtomicInteger()};
  /**
   * Each worker's deferred-sum scratch arrays, lent to the core it is stepping: one per distinct
   * {@link EmulatedCore#scratchSize()} (a power of two, indexed by its log2), since a core takes
   * one of exactly its size.
   */
  private final int[][][] scratchOf;
  private final SpinBarrier barrier;
  private final Semaphore[] start;
  private final Semaphore done;
  private final Thread[] threads;
  private volatile boolean closed;
  private volatile long runFirst;
  private volatile int runSteps;
  private volatile Throwable failure;
  private final long scratchBytes;

  StepWorkers(EmulatedCore[] cores, int threadCount) {
    this.cores = cores;
    workers = Math.max(1, Math.min(threadCount, cores.length));
    order = heaviestFirst(cores);
    barrier = new SpinBarrier(workers);
    scratchOf = new int[workers][Integer.SIZE][];
    long scratchTotal = 0;
    for (EmulatedCore core : cores) {
      int size = core.scratchSize();
      int log = Integer.numberOfTrailingZeros(size);
      if (size > 0 && scratchOf[0][log] == null) {
        for (int w = 0; w < workers; w++) {
          scratchOf[w][log] = new int[size];
        }
        scratchTotal += 4L * size * workers;
      }
    }
    scratchBytes = scratchTotal;
    start = new Semaphore[workers];
    done = new Semaphore(0);
    threads = new Thread[workers];
    for (int w = 1; w < workers; w++) {
      start[w] = new Semaphore(0);
      int id = w;
      Thread thread = new Thread(() -> serve(id), "quench-emu-worker-" + w);
      thread.setDaemon(true);
      threads[w] = thread;
      thread.start();
    }
  }

  /** Bytes of the workers' deferred-sum scratch arrays (one per worker, shared by its cores). */
  long scratchBytes() {
    return scratchBytes;
  }

  int workerCount() {
    return workers;
  }

  /**
   * Core indices by estimated work (neurons + synapses), heaviest first, ties by index: taking
   * the big cores first leaves the small ones to fill the end of a step.
   */
  private static int[] heaviestFirst(EmulatedCore[] cores) {
    Integer[] order = new Integer[cores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Long.compare(weight(cores[b]), weight(cores[a]));
      return c != 0 ? c : Integer.compare(a, b);
    });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  private static long weight(EmulatedCore c) {
    return 4L * c.n + c.synapseCount / 8 + 1;
  }

  /** Runs {@code steps} steps starting after global step {@code first}; returns when all are done. */
  void run(long first, int steps) {
    if (closed) {
      throw new IllegalStateException("workers closed");
    }
    runFirst = first;
    runSteps = steps;
    failure = null;
    next[0].set(0);
    next[1].set(0);
    for (int w = 1; w < workers; w++) {
      start[w].release();
    }
    stepLoop(0);
    done.acquireUninterruptibly(workers - 1);
    Throwable f = failure;
    if (f != null) {
      throw new IllegalStateException("emulator worker failed: " + f, f);
    }
  }

  private void serve(int id) {
    while (true) {
      start[id].acquireUninterruptibly();
      if (closed) {
        return;
      }
      stepLoop(id);
      done.release();
    }
  }

  /**
   * One barrier per step, and each core's phase 2 of step t directly followed by its phase 1 of
   * step t+1, while the core's delay line and neuron arrays are still in cache (with every phase
   * 1 before the barrier and every phase 2 after it, each core's data came from memory twice a
   * step). The order is safe: a core's update of step t+1 needs only its own delay line, which
   * the same worker finished in the phase 2 just before; it writes the spikes (list, bitmap,
   * values) of parity t+1, while other workers still read only those of parity t; and every
   * read of parity t+1 spikes (phase 2 of step t-1) ended before the previous barrier.
   *
   * <p>Run step k takes its cores from {@code next[k & 1]}. Worker 0 rewinds the other counter
   * during step k: every worker stopped taking from it before the previous barrier, and nobody
   * takes from it again until after the next one, which also publishes the rewind.
   */
  private void stepLoop(int id) {
    final int[] order = this.order;
    final int[][] scratch = scratchOf[id];
    final long first = runFirst;
    final int steps = runSteps;
    for (int k = 0; k <= steps; k++) {
      AtomicInteger counter = next[k & 1];
      if (id == 0) {
        next[(k + 1) & 1].set(0);
      }
      long t = first + k + 1;
      try {
        for (int i = counter.getAndIncrement(); i < order.length; i = counter.getAndIncrement()) {
          EmulatedCore core = cores[order[i]];
          if (k > 0) {
            // Phase 2 of the previous step; after the last step it is all that is left to do.
            int size = core.scratchSize();
            if (size > 0) {
              core.shareScratch(scratch[Integer.numberOfTrailingZeros(size)]);
            }
            core.deliver(t - 1, k - 1, cores);
          }
          if (k < steps) {
            core.update(t, k);
          }
        }
      } catch (Throwable e) {
        failure = e;
        // Take the rest of this step's cores so that no other worker steps on from a broken state.
        counter.set(order.length);
      }
      if (k < steps) {
        barrier.await(id);
      }
    }
    // The semaphore hand-off in run() publishes the workers' writes to the caller.
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int w = 1; w < workers; w++) {
      start[w].release();
    }
    for (int w = 1; w < workers; w++) {
      try {
        threads[w].join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
