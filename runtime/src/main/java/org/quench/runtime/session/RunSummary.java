package org.quench.runtime.session;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one {@link Session#run} did: steps run, wall-clock time, input events sent and output
 * spikes received per output port.
 *
 * @param steps steps run
 * @param nanos wall-clock time of the run in nanoseconds (device time plus input encoding)
 * @param inputEvents input spike or payload events sent
 * @param spikesPerPort output spike count per output port, in image order
 */
public record RunSummary(long steps, long nanos, long inputEvents, Map<String, Long> spikesPerPort) {
  public RunSummary {
    spikesPerPort = Collections.unmodifiableMap(new LinkedHashMap<>(spikesPerPort));
  }

  /** Steps per second of wall-clock time (0 for an empty run). */
  public double stepsPerSecond() {
    return nanos <= 0 ? 0 : steps * 1e9 / nanos;
  }

  /** Output spikes over all ports. */
  public long totalSpikes() {
    long n = 0;
    for (long c : spikesPerPort.values()) {
      n += c;
    }
    return n;
  }
}
