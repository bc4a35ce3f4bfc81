package org.quench.runtime.session;

import org.quench.hal.Stimulus;

/**
 * Where a run's input comes from, one chunk at a time, so a long run never holds all its input in
 * memory at once. A {@link Session} asks for consecutive chunks in order, starting at step 0 of
 * the run; an implementation may rely on that order (e.g. an encoder that keeps state).
 *
 * <p>Steps are 0-based within the whole run; the returned {@link Stimulus} has exactly
 * {@code steps} steps, numbered from 0 = run step {@code firstStep}.
 */
public interface InputSource {
  /** The input of run steps {@code [firstStep, firstStep + steps)}. */
  Stimulus chunk(long firstStep, int steps);

  /**
   * Steps of input this source holds, or -1 when it has no natural end (beyond its end a source
   * gives no events).
   */
  default long length() {
    return -1;
  }

  /** No input at all. */
  static InputSource none() {
    return (first, steps) -> Stimulus.idle(steps);
  }
}
