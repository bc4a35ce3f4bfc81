package org.quench.runtime.campaign;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.quench.hal.QuenchException;

/**
 * Runs chip runs on a fixed number of threads in this process, each with its own
 * {@link ChipWorkspace}. Threads take the next item from a shared counter, so a slow chip does
 * not hold back the others; results land at their item's index, so the order (and every bit)
 * is the same for any thread count.
 */
public final class ThreadWorkRunner implements WorkRunner {
  private final int threads;
  private ChipWorkspace.WorkTiming timing = ChipWorkspace.WorkTiming.none();

  /** A runner of {@code threads} worker threads (>= 1). */
  public ThreadWorkRunner(int threads) {
    if (threads < 1) {
      throw new QuenchException("--threads must be at least 1, got " + threads);
    }
    this.threads = threads;
  }

  /** Worker threads used. */
  public int threads() {
    return threads;
  }

  /** Time spent by all runs of this runner so far, summed over threads. */
  public ChipWorkspace.WorkTiming timing() {
    return timing;
  }

  @Override
  public List<ChipResult> run(List<ChipRun> items, LongConsumer done) {
    ChipResult[] results = new ChipResult[items.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Object progressLock = new Object();
    List<ChipWorkspace> workspaces = new ArrayList<>();
    Runnable worker = () -> {
      try (ChipWorkspace workspace = new ChipWorkspace()) {
        synchronized (workspaces) {
          workspaces.add(workspace);
        }
        int i;
        while (failure.get() == null && (i = next.getAndIncrement()) < results.length) {
          results[i] = items.get(i).run(workspace);
          int count = finished.incrementAndGet();
          synchronized (progressLock) {
            done.accept(count);
          }
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } catch (Error e) {
        failure.compareAndSet(null, new IllegalStateException("campaign worker failed: " + e, e));
        throw e;
      }
    };
    int count = Math.min(threads, Math.max(1, items.size()));
    List<Thread> started = new ArrayList<>();
    for (int t = 1; t < count; t++) {
      Thread thread = new Thread(worker, "quench-campaign-" + t);
      thread.setDaemon(true);
      thread.start();
      started.add(thread);
    }
    worker.run();
    for (Thread thread : started) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure.compareAndSet(null, new QuenchException("campaign interrupted"));
      }
    }
    for (ChipWorkspace w : workspaces) {
      timing = timing.plus(w.timing());
    }
    RuntimeException f = failure.get();
    if (f != null) {
      throw f;
    }
    return Arrays.asList(results);
  }

  @Override
  public void close() {}
}
