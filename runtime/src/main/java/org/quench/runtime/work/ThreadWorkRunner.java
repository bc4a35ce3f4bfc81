package org.quench.runtime.work;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.quench.hal.QuenchException;

/**
 * Runs items on a fixed number of threads in this process: the default runner, with nothing
 * listening on the network. Threads take the next item from a shared counter, so a slow item does
 * not hold back the others; results land at their item's index, so the order (and every bit) is
 * the same for any thread count. Items never leave the process, so the kind's codecs are unused.
 */
public final class ThreadWorkRunner implements WorkRunner {
  private final int threads;
  private WorkReport last = WorkReport.inProcess(0);

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

  @Override
  public String where() {
    return threads + (threads == 1 ? " thread" : " threads");
  }

  @Override
  public WorkReport lastReport() {
    return last;
  }

  @Override
  public <C, I, R> List<R> run(WorkKind<C, I, R> kind, C context, List<I> items,
      WorkListener<R> listener) {
    @SuppressWarnings("unchecked")
    R[] results = (R[]) new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger finished = new AtomicInteger();
    AtomicReference<RuntimeException> failure = new AtomicReference<>();
    Object listenerLock = new Object();
    Runnable worker = () -> {
      try {
        int i;
        while (failure.get() == null && (i = next.getAndIncrement()) < results.length) {
          R r = kind.run(context, items.get(i));
          results[i] = r;
          synchronized (listenerLock) {
            listener.finished(i, r, finished.incrementAndGet());
          }
        }
      } catch (RuntimeException e) {
        failure.compareAndSet(null, e);
      } catch (Error e) {
        failure.compareAndSet(null, new IllegalStateException("work thread failed: " + e, e));
        throw e;
      }
    };
    int count = Math.min(threads, Math.max(1, items.size()));
    List<Thread> started = new ArrayList<>();
    for (int t = 1; t < count; t++) {
      Thread thread = new Thread(worker, "quench-work-" + t);
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
        failure.compareAndSet(null, new QuenchException("work interrupted"));
      }
    }
    RuntimeException f = failure.get();
    if (f != null) {
      throw f;
    }
    last = WorkReport.inProcess(items.size());
    return Arrays.asList(results);
  }

  @Override
  public void close() {}
}
