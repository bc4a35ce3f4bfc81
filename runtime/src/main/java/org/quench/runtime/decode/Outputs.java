package org.quench.runtime.decode;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.runtime.session.RunSink;

/**
 * Collects a run's outputs across chunks: spikes of every output port and traces of every probe,
 * with steps counted from the first chunk collected (row 0 = the first step seen). Gives spikes as
 * dense matrices, spike counts, first-spike times and membrane (u, v) readouts.
 *
 * <p>Keeps everything in memory (4 bytes per probed neuron and step, 12 per output spike); for
 * runs too long for that, record to files with a recorder instead.
 */
public final class Outputs implements RunSink {
  private final Map<String, int[]> widths = new LinkedHashMap<>();
  private final Map<String, List<int[]>> spikeEvents = new LinkedHashMap<>();
  private final Map<Probe, List<int[]>> traceChunks = new LinkedHashMap<>();
  private final Map<Probe, Integer> traceWidths = new LinkedHashMap<>();
  private long firstStep = -1;
  private int steps;

  /** Collects {@code result} as if it were the only chunk. */
  public static Outputs of(RunResult result) {
    Outputs o = new Outputs();
    o.accept(result);
    return o;
  }

  @Override
  public void accept(RunResult chunk) {
    if (firstStep < 0) {
      firstStep = chunk.firstStep();
    }
    int offset = steps;
    chunk.outputs().forEach((port, e) -> {
      widths.putIfAbsent(port, new int[] {e.width()});
      List<int[]> list = spikeEvents.computeIfAbsent(port, p -> new ArrayList<>());
      for (int i = 0; i < e.count(); i++) {
        list.add(new int[] {offset + e.steps()[i], e.indices()[i], e.values()[i]});
      }
    });
    chunk.traces().forEach((probe, trace) -> {
      traceWidths.putIfAbsent(probe, trace.width());
      traceChunks.computeIfAbsent(probe, p -> new ArrayList<>()).add(trace.values());
    });
    steps += chunk.steps();
  }

  /** Steps collected. */
  public int steps() {
    return steps;
  }

  /** The device step before the first collected step (0 for a run from load or reset). */
  public long firstStep() {
    return Math.max(firstStep, 0);
  }

  /** Output port names seen. */
  public List<String> ports() {
    return new ArrayList<>(widths.keySet());
  }

  /** Probes seen. */
  public List<Probe> probes() {
    return Collections.unmodifiableList(new ArrayList<>(traceChunks.keySet()));
  }

  /** Width of an output port. */
  public int width(String port) {
    return port(port)[0];
  }

  /** Dense {@code steps × width} spike values of a port (0 where none). */
  public int[][] spikes(String port) {
    int[][] m = new int[steps][width(port)];
    for (int[] e : spikeEvents.get(port)) {
      m[e[0]][e[1]] = e[2];
    }
    return m;
  }

  /** Spike events of a port as {@code {step, index, value}} triples in step order. */
  public List<int[]> spikeEvents(String port) {
    port(port);
    return Collections.unmodifiableList(spikeEvents.get(port));
  }

  /** Number of spikes (non-zero outputs) per port index. */
  public int[] counts(String port) {
    int[] c = new int[width(port)];
    for (int[] e : spikeEvents.get(port)) {
      c[e[1]]++;
    }
    return c;
  }

  /** First step with a spike per port index, -1 for a neuron that never spiked. */
  public int[] firstSpikes(String port) {
    int[] first = new int[width(port)];
    Arrays.fill(first, -1);
    for (int[] e : spikeEvents.get(port)) {
      if (first[e[1]] < 0) {
        first[e[1]] = e[0];
      }
    }
    return first;
  }

  /** A probe's trace as {@code steps × width} (u, v or spikes of the probed neurons). */
  public int[][] trace(Probe probe) {
    List<int[]> chunks = traceChunks.get(probe);
    if (chunks == null) {
      throw new QuenchException("probe " + probe + " was not recorded; recorded: "
          + traceChunks.keySet());
    }
    int width = traceWidths.get(probe);
    int[][] m = new int[steps][width];
    int row = 0;
    for (int[] values : chunks) {
      for (int k = 0; k < values.length / Math.max(width, 1); k++) {
        System.arraycopy(values, k * width, m[row++], 0, width);
      }
    }
    return m;
  }

  private int[] port(String port) {
    int[] w = widths.get(port);
    if (w == null) {
      throw new QuenchException("no output port '" + port + "' in the run; ports: " + widths.keySet());
    }
    return w;
  }
}
