package org.quench.runtime.replay;

import java.util.Locale;

/**
 * The first place where a replay differs from its trace.
 *
 * @param step 0-based step of the run (0 = first step after load)
 * @param variable {@code spike} (an output port's spike value), {@code spikes}, {@code u} or
 *     {@code v} (a probed population variable)
 * @param where {@code population NAME} or {@code output port NAME}
 * @param index population (or port) index of the neuron
 * @param recorded the value in the trace
 * @param replayed the value the replay device produced
 */
public record Divergence(long step, String variable, String where, int index, int recorded,
    int replayed) {
  /** One line, e.g. {@code step 17: population hidden[3] u: recorded 120, replayed 121}. */
  public String describe() {
    return String.format(Locale.ROOT, "step %d: %s[%d] %s: recorded %d, replayed %d", step, where,
        index, variable, recorded, replayed);
  }
}
