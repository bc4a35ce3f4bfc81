package org.quench.emulator;

import java.util.Arrays;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The threads that step a set of cores. In each step every core is stepped by exactly one worker.
 * Each worker has a share of the cores (dealt once, balancing estimated work) and takes its own
 * cores one at a time from the front of its share; when its share is done it takes whatever is
 * left of the other shares from their backs (each share's front and end packed in one atomic
 * long, so a core is taken once), then all meet at a barrier; every other step the shares are
 * walked in reverse (see {@link #order}). A failure stops the run at that
 * step; {@link #run} throws the first one, naming the core and the step. A core's step is its
 * phase 2 of the previous step (delivering spikes into its delay line, pulling from any core's
 * spike bitmap) fused with its phase 1 (the neuron update; see {@link #stepLoop}). A core's step reads
 * and writes only that core's arrays (and reads the other cores' spikes of the previous step,
 * fixed since the barrier), and integer sums do not depend on the order of addition, so the
 * result is the same bits for any thread count and whichever worker takes a core. The calling
 * thread is worker 0; the others wait on a semaphore between runs.
 *
 * <p>Why shares and taking over, measured with {@code JarAB} (two threads, 40 windows of 300
 * steps): a fixed share per worker makes every step as long as its slowest worker, and on a
 * shared machine a worker's processor is taken away for a while now and then, or runs slower
 * than the other. All cores from one common counter fixed that (time ratio 0.95 against fixed
 * shares), but then a core went to either worker from step to step, and its delay line and
 * neuron arrays with it, out of the other processor's caches. Own share first, then the
 * others' leftovers keeps nearly every core on one worker and still evens out the step: time
 * ratio 0.82 and 0.87 against the common counter, 0.77 against fixed shares.
 */
final class StepWorkers implements AutoCloseable {
  private final EmulatedCore[] cores;
  /** Each worker's share of the cores, heaviest first: the cores it takes first in each step. */
  private final int[][] share;
  /**
   * The order in which the cores of each share are taken, by run-step parity: the share itself in
   * even steps, reversed in odd ones. A worker's cores do not fit its processor's caches, and a
   * cyclic walk over more than a cache holds finds none of it there; walking back and forth, the
   * cores a worker stepped last in one step are the first of the next, while still in cache.
   */
  private final int[][][] order;
  private final int workers;
  /**
   * What is left of each share in the step, per step parity: worker w's share for parity p at
   * {@code (p * workers + w) * SPREAD}, each on its own cache line, as a {@link #range}. The owner
   * takes from the front, the others from the back (see {@link #stepLoop}).
   */
  private final AtomicLongArray left;
  private static final int SPREAD = 8;
  /**
   * Added to a range's end so that it never goes negative: each other worker takes from the back
   * of a share at most once after the share is used up (twice in the test mode of {@link
   * #contendForTest}), so the end falls at most 2 (workers - 1) below the front, and a negative
   * end would borrow from the front's bits.
   */
  private static final long END_BIAS = 1L << 20;
  /**
   * Each worker's deferred-sum scratch arrays, lent to the core it is stepping: one per distinct
   * {@link EmulatedCore#scratchSize()} (a power of two, indexed by its log2), since a core takes
   * one of exactly its size.
   */
  private final int[][][] scratchOf;
  /**
   * Each worker's event buffers (axons, values), lent to the core it is stepping; grown at the
   * start of a run to the largest {@link EmulatedCore#eventCapacity()}.
   */
  private final int[][][] eventsOf;
  private final SpinBarrier barrier;
  private final Semaphore[] start;
  private final Semaphore done;
  private final Thread[] threads;
  private volatile boolean closed;
  private volatile long runFirst;
  private volatile int runSteps;
  // The run's first failure: the others' in the same step may only be its consequences.
  private volatile Throwable failure;
  // Tests only: worker w starts step k with share (w + k) mod workers instead of its own, so that
  // every core changes workers from step to step; and with othersFirst each worker takes from the
  // backs of the other shares before its own front, so that all workers contend for every share.
  private volatile boolean rotateShares;
  private volatile boolean othersFirst;
  private final long scratchBytes;

  StepWorkers(EmulatedCore[] cores, int threadCount) {
    this.cores = cores;
    workers = Math.max(1, Math.min(threadCount, cores.length));
    share = partition(cores, workers);
    order = new int[2][workers][];
    for (int w = 0; w < workers; w++) {
      order[0][w] = share[w];
      order[1][w] = new int[share[w].length];
      for (int i = 0; i < share[w].length; i++) {
        order[1][w][i] = share[w][share[w].length - 1 - i];
      }
    }
    left = new AtomicLongArray(2 * workers * SPREAD);
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
    eventsOf = new int[workers][2][0];
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

  /**
   * Bytes of the workers' deferred-sum scratch arrays (each worker one per distinct scratch size,
   * lent to the cores it steps) and event buffers.
   */
  long scratchBytes() {
    long events = 0;
    for (int[][] buffers : eventsOf) {
      events += 4L * (buffers[0].length + buffers[1].length);
    }
    return scratchBytes + events;
  }

  /** Tests only: from the next run on, every core is stepped by another worker each step. */
  void rotateSharesForTest() {
    rotateShares = true;
  }

  /**
   * Tests only: as {@link #rotateSharesForTest()}, and every worker takes the other shares from
   * their backs before its own from the front, so that several workers take from each share at
   * once, at both ends.
   */
  void contendForTest() {
    rotateShares = true;
    othersFirst = true;
  }

  int workerCount() {
    return workers;
  }

  /**
   * Deals the cores, heaviest first (by estimated work: neurons + synapses; ties by index), each
   * to the worker with the least work so far; each share stays in that order, so the small cores
   * come last and fill the end of a step. Deterministic.
   */
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
    int[][] share = new int[workers][cores.length];
    int[] size = new int[workers];
    for (int i : order) {
      int best = 0;
      for (int w = 1; w < workers; w++) {
        if (load[w] < load[best]) {
          best = w;
        }
      }
      load[best] += weight(cores[i]);
      share[best][size[best]++] = i;
    }
    for (int w = 0; w < workers; w++) {
      share[w] = Arrays.copyOf(share[w], size[w]);
    }
    return share;
  }

  private static long weight(EmulatedCore c) {
    return 4L * c.n + c.synapseCount / 8 + 1;
  }

  /** Runs {@code steps} steps starting after global step {@code first}; returns when all are done. */
  void run(long first, int steps) {
    if (closed) {
      throw new IllegalStateException("workers closed");
    }
    int events = 0;
    for (EmulatedCore core : cores) {
      events = Math.max(events, core.eventCapacity());
    }
    if (eventsOf[0][0].length < events) {
      for (int w = 0; w < workers; w++) {
        eventsOf[w] = new int[][] {new int[events], new int[events]};
      }
    }
    runFirst = first;
    runSteps = steps;
    failure = null;
    for (int w = 0; w < workers; w++) {
      left.set(w * SPREAD, range(0, share[w].length));
      left.set((workers + w) * SPREAD, range(0, share[w].length));
    }
    for (int w = 1; w < workers; w++) {
      start[w].release();
    }
    stepLoop(0);
    done.acquireUninterruptibly(workers - 1);
    Throwable f = failure;
    if (f != null) {
      // A core that failed in phase 2 may have left partial sums in the scratch it borrowed; the
      // next core to borrow it expects zeros.
      for (int[][] bySize : scratchOf) {
        for (int[] s : bySize) {
          if (s != null) {
            Arrays.fill(s, 0);
          }
        }
      }
      throw new IllegalStateException("emulator worker failed: "
          + (f.getMessage() != null ? f.getMessage() : f.toString()), f);
    }
  }

  /** The cores {@code [front, end)} of a share, packed in one long (front high, end low). */
  private static long range(int front, int end) {
    return ((long) front << 32) | (end + END_BIAS);
  }

  private static int front(long range) {
    return (int) (range >>> 32);
  }

  private static int end(long range) {
    return (int) ((range & 0xFFFFFFFFL) - END_BIAS);
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
   * <p>A worker takes its own share from the front, then the others' from the back: when one
   * worker is slower than the other for a while, the other takes the same last cores of its share
   * step after step, so those too stay in one processor's caches. Run step k takes through the
   * ranges of parity {@code k & 1}. Worker 0 refills the other parity's ranges during step k:
   * every worker stopped taking from them before the previous barrier, and nobody takes from
   * them again until after the next one, which also publishes the refill.
   */
  private void stepLoop(int id) {
    final int[][] scratch = scratchOf[id];
    final int[][] events = eventsOf[id];
    final long first = runFirst;
    final int steps = runSteps;
    final boolean rotate = rotateShares;
    final boolean contend = othersFirst;
    for (int k = 0; k <= steps; k++) {
      int parity = k & 1;
      int own = rotate ? (int) ((id + first + k) % workers) : id;
      if (id == 0) {
        for (int w = 0; w < workers; w++) {
          left.set(((1 - parity) * workers + w) * SPREAD, range(0, share[w].length));
        }
      }
      long t = first + k + 1;
      // After a failure the state is broken: nobody steps on, but every worker still meets the
      // others at each barrier, so none waits for ever.
      if (failure == null) {
        try {
          if (contend) {
            takeOthers(own, parity, t, k, steps, scratch, events);
          }
          takeOwn(own, parity, t, k, steps, scratch, events);
          takeOthers(own, parity, t, k, steps, scratch, events);
        } catch (Throwable e) {
          synchronized (this) {
            if (failure == null) {
              failure = e;
            }
          }
          // Take the rest of this step's cores, so that the others stop at once.
          for (int w = 0; w < workers; w++) {
            left.set((parity * workers + w) * SPREAD, range(0, 0));
          }
        }
      }
      if (k < steps) {
        barrier.await(id);
      }
    }
    // The semaphore hand-off in run() publishes the workers' writes to the caller.
  }

  /** Steps share {@code own}'s cores from its front, one at a time, until none is left. */
  private void takeOwn(int own, int parity, long t, int k, int steps, int[][] scratch, int[][] events) {
    int slot = (parity * workers + own) * SPREAD;
    int[] mine = order[parity][own];
    for (long r = left.getAndAdd(slot, 1L << 32); front(r) < end(r); r = left.getAndAdd(slot, 1L << 32)) {
      stepCore(mine[front(r)], t, k, steps, scratch, events);
    }
  }

  /**
   * Steps what is left of the other shares, each from its back. A take that finds the share used
   * up ends this worker's turn on it, so each worker moves the end below the front at most once
   * per share and step (see {@link #END_BIAS}).
   */
  private void takeOthers(int own, int parity, long t, int k, int steps, int[][] scratch, int[][] events) {
    for (int j = 1; j < workers; j++) {
      int owner = (own + j) % workers;
      int theirs = (parity * workers + owner) * SPREAD;
      for (long r = left.get(theirs); front(r) < end(r); r = left.get(theirs)) {
        r = left.getAndAdd(theirs, -1);
        if (front(r) >= end(r)) {
          break;
        }
        stepCore(order[parity][owner][end(r) - 1], t, k, steps, scratch, events);
      }
    }
  }

  /** Core {@code c}'s part of run step k: phase 2 of the previous step, then phase 1 of this one. */
  private void stepCore(int c, long t, int k, int steps, int[][] scratch, int[][] events) {
    EmulatedCore core = cores[c];
    boolean delivering = k > 0;
    try {
      if (delivering) {
        // Phase 2 of the previous step; after the last step it is all that is left to do.
        int size = core.scratchSize();
        if (size > 0) {
          core.shareScratch(scratch[Integer.numberOfTrailingZeros(size)]);
        }
        core.shareEvents(events[0], events[1]);
        core.deliver(t - 1, k - 1, cores);
        delivering = false;
      }
      if (k < steps) {
        core.update(t, k);
      }
    } catch (RuntimeException | Error e) {
      throw new IllegalStateException(core.where + (delivering ? ", delivering the spikes of step " + (t - 1)
          : ", updating the neurons in step " + t) + ": " + e, e);
    }
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
