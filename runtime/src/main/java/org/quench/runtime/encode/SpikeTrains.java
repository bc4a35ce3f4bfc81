package org.quench.runtime.encode;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.session.InputSource;

/**
 * A finite input for a run: spike events (or graded payloads) per input port and per-step bias
 * mantissas per population, held sparsely (events only; bias rows only where they change) and
 * served in chunks.
 *
 * <p>Steps are 0-based within the run. A payload of 1 is a plain spike; other values are graded
 * payloads for ports whose projections take {@code num_message_bits > 0}. A population's bias row
 * holds from its step until the next row; the last row holds to the end of the run, so a single
 * row at step 0 is a constant bias (how netx networks take an image). Immutable.
 */
public final class SpikeTrains implements InputSource {
  /** One port's events: parallel arrays sorted by step. */
  record Events(int width, int[] steps, int[] indices, int[] values) {}

  /** One population's bias rows: {@code rows[k]} holds from {@code steps[k]}. */
  record BiasRows(int[] steps, int[][] rows) {}

  private final long length;
  private final Map<String, Events> ports;
  private final Map<String, BiasRows> bias;

  private SpikeTrains(long length, Map<String, Events> ports, Map<String, BiasRows> bias) {
    this.length = length;
    this.ports = Collections.unmodifiableMap(ports);
    this.bias = Collections.unmodifiableMap(bias);
  }

  /** Starts a train of {@code steps} steps. */
  public static Builder builder(int steps) {
    return new Builder(steps);
  }

  /** Steps of input held (the run may be longer; later steps get no events). */
  @Override
  public long length() {
    return length;
  }

  /** Port names, in the order they were first given. */
  public Set<String> ports() {
    return ports.keySet();
  }

  /** Populations with a bias, in the order they were first given. */
  public Set<String> biasedPopulations() {
    return bias.keySet();
  }

  /** Width (number of channels) of a port. */
  public int width(String port) {
    return events(port).width;
  }

  /** Number of events on a port. */
  public int eventCount(String port) {
    return events(port).steps.length;
  }

  /** Dense {@code length × width} matrix of a port's payloads (0 where no event). */
  public int[][] dense(String port) {
    Events e = events(port);
    int[][] m = new int[(int) length][e.width];
    for (int i = 0; i < e.steps.length; i++) {
      m[e.steps[i]][e.indices[i]] = e.values[i];
    }
    return m;
  }

  /** The bias row in force at {@code step} for a population. */
  public int[] biasAt(String population, int step) {
    BiasRows b = bias.get(population);
    if (b == null) {
      throw new QuenchException("the input sets no bias for population '" + population + "'");
    }
    int k = Arrays.binarySearch(b.steps, step);
    int row = k >= 0 ? k : -k - 2;
    return row < 0 ? null : b.rows[row].clone();
  }

  /**
   * Several inputs as one (e.g. spikes for a port from one file and a population's bias from
   * another), as long as the longest. Each port or biased population may come from one part
   * only; {@code origins} names the parts for that error.
   */
  public static SpikeTrains merge(List<SpikeTrains> parts, List<String> origins) {
    long length = 0;
    Map<String, Events> ports = new LinkedHashMap<>();
    Map<String, BiasRows> bias = new LinkedHashMap<>();
    Map<String, String> from = new java.util.HashMap<>();
    for (int k = 0; k < parts.size(); k++) {
      SpikeTrains p = parts.get(k);
      String origin = origins.get(k);
      length = Math.max(length, p.length);
      for (Map.Entry<String, Events> e : p.ports.entrySet()) {
        String previous = from.putIfAbsent("port " + e.getKey(), origin);
        if (previous != null) {
          throw new QuenchException("input port '" + e.getKey() + "' is given twice: by " + previous
              + " and by " + origin);
        }
        ports.put(e.getKey(), e.getValue());
      }
      for (Map.Entry<String, BiasRows> e : p.bias.entrySet()) {
        String previous = from.putIfAbsent("bias " + e.getKey(), origin);
        if (previous != null) {
          throw new QuenchException("the bias of population '" + e.getKey() + "' is given twice: by "
              + previous + " and by " + origin);
        }
        bias.put(e.getKey(), e.getValue());
      }
    }
    return new SpikeTrains(length, ports, bias);
  }

  private Events events(String port) {
    Events e = ports.get(port);
    if (e == null) {
      throw new QuenchException("the input has no port '" + port + "'; it has " + ports.keySet());
    }
    return e;
  }

  @Override
  public Stimulus chunk(long firstStep, int steps) {
    Stimulus.Builder b = Stimulus.builder(steps);
    long end = firstStep + steps;
    for (Map.Entry<String, Events> entry : ports.entrySet()) {
      Events e = entry.getValue();
      int i = Stimulus.firstAtOrAfter(e.steps, firstStep);
      for (; i < e.steps.length && e.steps[i] < end; i++) {
        b.payload((int) (e.steps[i] - firstStep), entry.getKey(), e.indices[i], e.values[i]);
      }
    }
    for (Map.Entry<String, BiasRows> entry : bias.entrySet()) {
      BiasRows r = entry.getValue();
      int k = Stimulus.firstAtOrAfter(r.steps, firstStep);
      // A chunk that starts mid-row re-states the row in force: after a device reset (a new
      // sample) the device has forgotten it; otherwise re-stating it changes nothing.
      if ((k == r.steps.length || r.steps[k] != firstStep) && k > 0 && steps > 0) {
        b.bias(0, entry.getKey(), r.rows[k - 1]);
      }
      for (; k < r.steps.length && r.steps[k] < end; k++) {
        b.bias((int) (r.steps[k] - firstStep), entry.getKey(), r.rows[k]);
      }
    }
    return b.build();
  }

  /** Collects events and bias rows in any order. */
  public static final class Builder {
    private final int steps;
    private final Map<String, Integer> widths = new LinkedHashMap<>();
    private final Map<String, long[]> keys = new LinkedHashMap<>();
    private final Map<String, int[]> values = new LinkedHashMap<>();
    private final Map<String, Integer> counts = new LinkedHashMap<>();
    private final Map<String, TreeMap<Integer, int[]>> bias = new LinkedHashMap<>();

    private Builder(int steps) {
      if (steps < 0) {
        throw new QuenchException("an input needs a non-negative number of steps, got " + steps);
      }
      this.steps = steps;
    }

    /** Declares a port of {@code width} channels (also done implicitly by the first event). */
    public Builder port(String port, int width) {
      Objects.requireNonNull(port, "port");
      if (width < 1) {
        throw new QuenchException("input port '" + port + "' needs a positive width, got " + width);
      }
      Integer old = widths.putIfAbsent(port, width);
      if (old != null && old != width) {
        throw new QuenchException("input port '" + port + "' was declared with width " + old
            + " and again with width " + width);
      }
      return this;
    }

    /** A spike on {@code port[index]} at {@code step}. */
    public Builder spike(int step, String port, int index) {
      return payload(step, port, index, 1);
    }

    /** A graded payload on {@code port[index]} at {@code step}; 0 adds nothing. */
    public Builder payload(int step, String port, int index, int value) {
      Integer width = widths.get(port);
      if (width == null) {
        throw new QuenchException("declare input port '" + port + "' with port(name, width) first");
      }
      if (step < 0 || step >= steps) {
        throw new QuenchException("input event on port '" + port + "' at step " + step
            + " lies outside the input's " + steps + " steps");
      }
      if (index < 0 || index >= width) {
        throw new QuenchException("input event on port '" + port + "' has index " + index
            + " but the port has " + width + " channels (0.." + (width - 1) + ")");
      }
      if (value == 0) {
        return this;
      }
      long[] k = keys.computeIfAbsent(port, p -> new long[32]);
      int[] v = values.computeIfAbsent(port, p -> new int[32]);
      int n = counts.getOrDefault(port, 0);
      if (n == k.length) {
        k = Arrays.copyOf(k, n * 2);
        v = Arrays.copyOf(v, n * 2);
        keys.put(port, k);
        values.put(port, v);
      }
      // Step in the high half, index in the low half: sorting keys orders by step, then index.
      k[n] = ((long) step << 32) | index;
      v[n] = value;
      counts.put(port, n + 1);
      return this;
    }

    /** From {@code step} on, the population's bias mantissas are {@code biasMant}. */
    public Builder bias(int step, String population, int[] biasMant) {
      Objects.requireNonNull(population, "population");
      if (step < 0 || step >= Math.max(steps, 1)) {
        throw new QuenchException("bias of population '" + population + "' at step " + step
            + " lies outside the input's " + steps + " steps");
      }
      TreeMap<Integer, int[]> rows = bias.computeIfAbsent(population,
          p -> new TreeMap<>());
      if (!rows.isEmpty() && rows.firstEntry().getValue().length != biasMant.length) {
        throw new QuenchException("bias rows of population '" + population + "' have "
            + rows.firstEntry().getValue().length + " and " + biasMant.length + " values");
      }
      rows.put(step, biasMant.clone());
      return this;
    }

    /** Per-step bias rows ({@code rows[t]} at step t); rows equal to the previous one are dropped. */
    public Builder biasPerStep(String population, int[][] rows) {
      for (int t = 0; t < rows.length; t++) {
        if (t == 0 || !Arrays.equals(rows[t], rows[t - 1])) {
          bias(t, population, rows[t]);
        }
      }
      return this;
    }

    public SpikeTrains build() {
      Map<String, Events> ports = new LinkedHashMap<>();
      for (Map.Entry<String, Integer> w : widths.entrySet()) {
        int n = counts.getOrDefault(w.getKey(), 0);
        long[] key = keys.getOrDefault(w.getKey(), new long[0]);
        int[] value = values.getOrDefault(w.getKey(), new int[0]);
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        // Stable: a repeated (step, index) keeps the value given last.
        Arrays.sort(order, (x, y) -> Long.compare(key[x], key[y]));
        int[] s = new int[n];
        int[] idx = new int[n];
        int[] val = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
          long k = key[order[i]];
          int step = (int) (k >>> 32);
          int index = (int) k;
          if (m > 0 && s[m - 1] == step && idx[m - 1] == index) {
            m--;
          }
          s[m] = step;
          idx[m] = index;
          val[m] = value[order[i]];
          m++;
        }
        ports.put(w.getKey(), new Events(w.getValue(), Arrays.copyOf(s, m), Arrays.copyOf(idx, m),
            Arrays.copyOf(val, m)));
      }
      Map<String, BiasRows> rows = new LinkedHashMap<>();
      bias.forEach((pop, map) -> {
        int[] s = new int[map.size()];
        int[][] r = new int[map.size()][];
        int k = 0;
        for (Map.Entry<Integer, int[]> e : map.entrySet()) {
          s[k] = e.getKey();
          r[k++] = e.getValue();
        }
        rows.put(pop, new BiasRows(s, r));
      });
      return new SpikeTrains(steps, ports, rows);
    }
  }
}
