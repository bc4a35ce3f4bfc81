package org.quench.runtime.session;

import org.quench.hal.RunResult;

/**
 * Where a run's outputs go, one chunk at a time: a recorder writing files, a collector keeping
 * spikes for decoding. Chunks arrive in step order; {@link RunResult#firstStep()} says where each
 * one starts on the device's clock.
 */
public interface RunSink {
  /** One chunk's output spikes and probe traces. */
  void accept(RunResult chunk);

  /** Called once after the last chunk of a run (flush files, close headers). */
  default void finish() {}

  /** A sink that drops everything. */
  static RunSink discard() {
    return chunk -> {};
  }

  /** Both sinks, in order. */
  default RunSink and(RunSink other) {
    RunSink self = this;
    return new RunSink() {
      @Override
      public void accept(RunResult chunk) {
        self.accept(chunk);
        other.accept(chunk);
      }

      /** Finishes both, the second also when the first fails (a failed recording still lets a plot close). */
      @Override
      public void finish() {
        RuntimeException first = null;
        try {
          self.finish();
        } catch (RuntimeException e) {
          first = e;
        }
        try {
          other.finish();
        } catch (RuntimeException e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
        if (first != null) {
          throw first;
        }
      }
    };
  }
}
