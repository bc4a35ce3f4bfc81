package org.quench.hal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a device returns from one run: the spikes of every output port and the traces of every
 * probe that was attached with {@link Device#attach(Probe)}.
 *
 * <p>Steps are 0-based within the run (row {@code k} = the run's (k+1)-th step). Immutable.
 *
 * @param steps number of steps run
 * @param firstStep the device's global step count before this run (0 after load or reset)
 * @param outputs per output port name, its spike events in step order
 * @param traces per probe, a {@code steps × width} row-major matrix of the recorded variable
 */
public record RunResult(int steps, long firstStep, Map<String, SpikeEvents> outputs,
    Map<Probe, Trace> traces) {

  public RunResult {
    outputs = Collections.unmodifiableMap(new LinkedHashMap<>(outputs));
    traces = Collections.unmodifiableMap(new LinkedHashMap<>(traces));
  }

  /** Spike events of one port: parallel arrays sorted by step, then index. */
  public record SpikeEvents(int width, int[] steps, int[] indices, int[] values) {
    public int count() {
      return steps.length;
    }

    /** Dense {@code steps × width} matrix of the spike values (0 where no spike). */
    public int[][] dense(int runSteps) {
      int[][] m = new int[runSteps][width];
      for (int i = 0; i < steps.length; i++) {
        m[steps[i]][indices[i]] = values[i];
      }
      return m;
    }
  }

  /** A recorded variable: {@code values[step * width + i]} for population index first + i. */
  public record Trace(Probe probe, int width, int[] values) {
    public int at(int step, int i) {
      return values[step * width + i];
    }
  }

  public SpikeEvents output(String port) {
    SpikeEvents e = outputs.get(port);
    if (e == null) {
      throw new QuenchException("no output port '" + port + "'; the image has " + outputs.keySet());
    }
    return e;
  }

  public Trace trace(Probe probe) {
    Trace t = traces.get(probe);
    if (t == null) {
      throw new QuenchException("probe " + probe + " was not attached before the run");
    }
    return t;
  }
}
