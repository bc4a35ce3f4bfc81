package org.quench.emulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * The threads that step a set of cores. Each worker owns a fixed subset of the cores and is the
 * only thread that writes them: phase 1 updates the owned cores' neurons, a barrier, then phase 2
 * delivers spikes into the owned cores' delay lines (pulling from any core's spike bitmap), fused
 * per core with the next step's phase 1 (see {@link #stepLoop}). Integer
 * sums do not depend on the order of addition, so the result is the same bits for any thread
 * count. The calling thread is worker 0; the others wait on a semaphore between runs.
 */
final class StepWorkers implements AutoCloseable {
  private final EmulatedCore[] cores;
  private final int[][] owned;
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
    int workers = Math.max(1, Math.min(threadCount, cores.length));
    owned = partition(cores, workers);
    barrier = new SpinBarrier(workers);
    long scratchTotal = 0;
    for (int[] mine : owned) {
      int size = 0;
      for (int c : mine) {
        size = Math.max(size, cores[c].scratchSize());
      }
      int[] scratch = new int[size];
      scratchTotal += 4L * size;
      for (int c : mine) {
        cores[c].shareScratch(scratch);
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
    return owned.length;
  }

  /** Balances estimated work (neurons + synapses) greedily; deterministic. */
  private static int[][] partition(EmulatedCore[] cores, int workers) {
    Integer[] order = new Integer[cores.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Long.compare(weight(cores[b]), weight(cores[a]));
      return c != 0 ? c : Integer.compare(a, b);
    });
    long[] load = new long[workers];
    List<List<Integer>> lists = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      lists.add(new ArrayList<>());
    }
    for (int i : order) {
      int best = 0;
      for (int w = 1; w < workers; w++) {
        if (load[w] < load[best]) {
          best = w;
        }
      }
      load[best] += weight(cores[i]);
      lists.get(best).add(i);
    }
    int[][] result = new int[workers][];
    for (int w = 0; w < workers; w++) {
      result[w] = lists.get(w).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
    return result;
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
    for (int w = 1; w < owned.length; w++) {
      start[w].release();
    }
    stepLoop(0);
    done.acquireUninterruptibly(owned.length - 1);
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
   * One barrier per step, and each owned core's phase 2 of step t directly followed by its phase
   * 1 of step t+1, while the core's delay line and neuron arrays are still in cache (with every
   * phase 1 before the barrier and every phase 2 after it, each core's data came from memory
   * twice a step). The order is safe: a core's update of step t+1 needs only its own delay line,
   * which its owner finished in the phase 2 just before; it writes the spikes (list, bitmap,
   * values) of parity t+1, while other workers still read only those of parity t; and every
   * read of parity t+1 spikes (phase 2 of step t-1) ended before the previous barrier.
   */
  private void stepLoop(int id) {
    int[] mine = owned[id];
    long first = runFirst;
    int steps = runSteps;
    for (int k = 0; k < steps; k++) {
      long t = first + k + 1;
      try {
        if (k == 0) {
          for (int c : mine) {
            cores[c].update(t, k);
          }
        } else {
          for (int c : mine) {
            cores[c].deliver(t - 1, k - 1, cores);
            cores[c].update(t, k);
          }
        }
      } catch (Throwable e) {
        failure = e;
      }
      barrier.await(id);
    }
    try {
      if (steps > 0) {
        for (int c : mine) {
          cores[c].deliver(first + steps, steps - 1, cores);
        }
      }
    } catch (Throwable e) {
      failure = e;
    }
    // The semaphore hand-off in run() publishes the workers' writes to the caller.
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    for (int w = 1; w < owned.length; w++) {
      start[w].release();
    }
    for (int w = 1; w < owned.length; w++) {
      try {
        threads[w].join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
