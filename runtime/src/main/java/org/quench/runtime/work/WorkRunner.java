package org.quench.runtime.work;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Runs a list of independent items of one {@link WorkKind} and returns their results in the
 * list's order. {@link ThreadWorkRunner} runs them on threads of this process; the cluster runner
 * (docs/cluster.md) sends them to the members of a Hazelcast cluster. Because each item is a pure
 * function of its context and fields, every runner returns equal results for equal items: callers
 * (campaigns, studies) do not know, and need not know, where their items ran.
 */
public interface WorkRunner extends AutoCloseable {
  /**
   * Runs every item; {@code listener} hears about each finished item. The first failing item
   * stops the work and its exception is rethrown.
   */
  <C, I, R> List<R> run(WorkKind<C, I, R> kind, C context, List<I> items, WorkListener<R> listener);

  /** {@link #run(WorkKind, Object, List, WorkListener)} reporting only the count of finished items. */
  default <C, I, R> List<R> run(WorkKind<C, I, R> kind, C context, List<I> items, LongConsumer done) {
    return run(kind, context, items, WorkListener.counting(done));
  }

  /** Where the items run, for reports: e.g. {@code 4 threads} or {@code cluster 'lab' (3 workers)}. */
  String where();

  /** What the last {@link #run} did: items found stored, computed, computed twice. */
  WorkReport lastReport();

  /** Releases threads or connections. */
  @Override
  void close();
}
