package org.quench.runtime.campaign;

import java.util.List;
import java.util.function.LongConsumer;

/**
 * Executes a list of {@link ChipRun}s and returns their results in the list's order. The
 * in-process implementation is {@link ThreadWorkRunner}; a cluster runner distributes the same
 * items to other processes. Because each item is a pure function of its fields, every runner
 * returns equal results for equal items.
 */
public interface WorkRunner extends AutoCloseable {
  /**
   * Runs every item; {@code done} is told the number of items finished so far (from any thread,
   * never concurrently). The first failure stops the work and is rethrown.
   */
  List<ChipResult> run(List<ChipRun> items, LongConsumer done);

  /** Releases threads or connections. */
  @Override
  void close();
}
