package org.quench.examples.heterogeneity;

import java.util.List;

/**
 * One row of the study: a task, a reservoir configuration and a seed. {@link #run()} is a pure
 * function of these three (no clock, no shared state, no thread-count dependence), so rows can be
 * computed anywhere, in any order, on any machine of a cluster, and rerun from the CSV.
 *
 * <p>Rows that share a drive, a configuration and a seed share the reservoir's response; a
 * {@link WorkItem} computes them together, which gives the same numbers as running each row alone.
 */
record StudyRow(Task task, ReservoirConfig config, long seed) {
  /** Runs this row alone. */
  RowResult run() {
    return new WorkItem(task.drive(), config, seed, List.of(task)).run().get(task.id());
  }

  /** The identity of the row in the CSV: task, every configuration column and the seed. */
  String key() {
    return StudyCsv.key(task.id(), config.columns(), seed);
  }
}
