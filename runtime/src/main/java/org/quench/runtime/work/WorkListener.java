package org.quench.runtime.work;

/**
 * Hears about each finished item of a {@link WorkRunner#run} call, once per item, never
 * concurrently, in the order the items finish (not their list order).
 *
 * @param <R> an item's result
 */
@FunctionalInterface
public interface WorkListener<R> {
  /**
   * Item {@code index} (in the run's list) finished with {@code result}; {@code done} items of
   * the list are finished so far, this one included (items found already stored count too).
   */
  void finished(int index, R result, long done);

  /** A listener that only reports the count of finished items. */
  static <R> WorkListener<R> counting(java.util.function.LongConsumer done) {
    return (index, result, count) -> done.accept(count);
  }
}
