package org.quench.examples.heterogeneity;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.quench.runtime.cli.Progress;
import org.quench.runtime.work.ThreadWorkRunner;
import org.quench.runtime.work.WorkRunner;

/**
 * Runs work items on a {@link WorkRunner} (threads of this process, or a cluster's workers) and
 * appends each finished item's rows to the study CSV as it arrives.
 * Items whose rows are all in the CSV already are skipped (resume); an item with some rows missing
 * is run again and only the missing rows are written. Because every item is a pure function of
 * its fields, the CSV's content does not depend on the number of threads (only the line order
 * does, and readers key rows by their parameters).
 */
final class StudyRunner {
  /** What a run did. */
  record Outcome(int itemsRun, int itemsSkipped, int rowsWritten) {}

  private StudyRunner() {}

  /** Runs {@code items} on {@code threads} threads of this process. */
  static Outcome run(List<WorkItem> items, Path csv, int threads, Progress progress) {
    try (ThreadWorkRunner runner = new ThreadWorkRunner(Math.max(1, threads))) {
      return run(items, csv, runner, progress);
    }
  }

  /** Runs {@code items} on {@code runner} (threads here, or a cluster). */
  static Outcome run(List<WorkItem> items, Path csv, WorkRunner runner, Progress progress) {
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
    int[] written = {0};
    runner.run(StudyWork.KIND, StudyWork.context(todo), todo, (index, results, count) -> {
      WorkItem w = todo.get(index);
      List<String> lines = new ArrayList<>();
      for (StudyRow row : w.rows()) {
        if (!done.contains(row.key())) {
          lines.add(StudyCsv.line(row, results.get(row.task().id())));
        }
      }
      StudyCsv.append(csv, lines);
      written[0] += lines.size();
      progress.stepBy(weight(w));
    });
    return new Outcome(todo.size(), skipped, written[0]);
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
