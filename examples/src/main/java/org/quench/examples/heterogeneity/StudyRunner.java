package org.quench.examples.heterogeneity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.quench.hal.QuenchException;
import org.quench.runtime.cli.Progress;

/**
 * Runs work items on a pool of threads and appends each finished item's rows to the study CSV.
 * Items whose rows are all in the CSV already are skipped (resume); an item with some rows missing
 * is run again and only the missing rows are written. Because every item is a pure function of
 * its fields, the CSV's content does not depend on the number of threads (only the line order
 * does, and readers key rows by their parameters).
 */
final class StudyRunner {
  /** What a run did. */
  record Outcome(int itemsRun, int itemsSkipped, int rowsWritten) {}

  private StudyRunner() {}

  static Outcome run(List<WorkItem> items, Path csv, int threads, Progress progress) {
    StudyCsv.prepare(csv);
    Set<String> done = StudyCsv.read(csv).keySet();
    List<WorkItem> todo = new ArrayList<>();
    int skipped = 0;
    for (WorkItem w : items) {
      if (w.rows().stream().allMatch(r -> done.contains(r.key()))) {
        skipped++;
      } else {
        todo.add(w);
      }
    }
    long total = 0;
    for (WorkItem w : todo) {
      total += weight(w);
    }
    progress.resize(total);
    progress.note(skipped > 0 ? skipped + " items already in the CSV" : "");
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
      Thread t = new Thread(r, "study-worker");
      t.setDaemon(true);
      return t;
    });
    int written = 0;
    try {
      ExecutorCompletionService<List<String>> service = new ExecutorCompletionService<>(pool);
      List<Future<List<String>>> futures = new ArrayList<>();
      for (WorkItem w : todo) {
        futures.add(service.submit(() -> {
          Map<String, RowResult> results = w.run();
          List<String> lines = new ArrayList<>();
          for (StudyRow row : w.rows()) {
            if (!done.contains(row.key())) {
              lines.add(StudyCsv.line(row, results.get(row.task().id())));
            }
          }
          return lines;
        }));
      }
      Map<Future<List<String>>, WorkItem> byFuture = new java.util.HashMap<>();
      for (int i = 0; i < todo.size(); i++) {
        byFuture.put(futures.get(i), todo.get(i));
      }
      for (int i = 0; i < todo.size(); i++) {
        Future<List<String>> f = service.take();
        List<String> lines = get(f, byFuture.get(f));
        StudyCsv.append(csv, lines);
        written += lines.size();
        progress.stepBy(weight(byFuture.get(f)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new QuenchException("study interrupted; rerun the same command to resume from " + csv);
    } finally {
      pool.shutdownNow();
    }
    return new Outcome(todo.size(), skipped, written);
  }

  private static List<String> get(Future<List<String>> f, WorkItem w) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof QuenchException q) {
        throw new QuenchException("study item " + describe(w) + ": " + q.getMessage());
      }
      throw new IllegalStateException("study item " + describe(w) + " failed", cause);
    }
  }

  static String describe(WorkItem w) {
    return w.drive().id() + " " + w.config().model().name().toLowerCase() + " N=" + w.config().neurons()
        + " " + w.config().shape().id() + " cv=" + w.config().cv() + " g=" + w.config().gain()
        + " train=" + w.config().train() + " device=" + w.config().device() + " seed=" + w.seed();
  }

  /** Rough relative cost, so the bar moves evenly: spiking items cost about ten rate items. */
  private static long weight(WorkItem w) {
    long n = w.config().neurons();
    long base = 1 + n * n / 4096 + n / 32;
    return w.config().model() == ReservoirConfig.Model.SPIKING ? 10 * base : base;
  }
}
