package org.quench.hal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the host feeds a device during one run of {@link #steps()} steps: spike events (or graded
 * payloads) on named input ports, and per-step overrides of a population's bias mantissa.
 *
 * <p>Steps are 0-based within the run: event step {@code k} is injected at the run's (k+1)-th step
 * and, like any spike, reaches its targets' {@code u} one step later
 * (docs/chip-semantics.md#delays-and-timing). A bias override set at step {@code k} holds from step
 * {@code k} on, in this run and later ones, until changed or until {@link Device#reset()}.
 * Immutable; build it with {@link #builder(int)}.
 */
public final class Stimulus {
  /** One port's events in step order: parallel arrays. */
  public record PortEvents(String port, int[] steps, int[] indices, int[] payloads) {}

  /** A bias override: from {@code step} on, population neurons get these bias mantissas. */
  public record BiasChange(int step, String population, int[] biasMant) {}

  private final int steps;
  private final Map<String, PortEvents> events;
  private final List<BiasChange> biasChanges;

  private Stimulus(int steps, Map<String, PortEvents> events, List<BiasChange> biasChanges) {
    this.steps = steps;
    this.events = Collections.unmodifiableMap(events);
    this.biasChanges = Collections.unmodifiableList(biasChanges);
  }

  /** No input at all for {@code steps} steps. */
  public static Stimulus idle(int steps) {
    return builder(steps).build();
  }

  public static Builder builder(int steps) {
    return new Builder(steps);
  }

  public int steps() {
    return steps;
  }

  /** Events by port name, each sorted by step (stable within a step). */
  public Map<String, PortEvents> events() {
    return events;
  }

  /** Bias overrides sorted by step (stable within a step). */
  public List<BiasChange> biasChanges() {
    return biasChanges;
  }

  /**
   * The index of the first entry at or after {@code step} in a step-sorted array (its length when
   * there is none): where the events of a window of steps begin, for any holder of events in step
   * order (a stimulus, an input file's trains, a board batch).
   */
  public static int firstAtOrAfter(int[] sortedSteps, long step) {
    int lo = 0;
    int hi = sortedSteps.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sortedSteps[mid] < step) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** Total number of input events over all ports. */
  public long eventCount() {
    long n = 0;
    for (PortEvents e : events.values()) {
      n += e.steps.length;
    }
    return n;
  }

  /** Accumulates events; any order of calls is fine. */
  public static final class Builder {
    private final int steps;
    private final Map<String, int[][]> raw = new LinkedHashMap<>();
    private final Map<String, Integer> sizes = new LinkedHashMap<>();
    private final List<BiasChange> bias = new ArrayList<>();

    private Builder(int steps) {
      if (steps < 0) {
        throw new QuenchException("a run needs a non-negative number of steps, got " + steps);
      }
      this.steps = steps;
    }

    /** A binary spike on {@code port[index]} at run step {@code step}. */
    public Builder spike(int step, String port, int index) {
      return payload(step, port, index, 1);
    }

    /** A graded payload (or a spike, when 1) on {@code port[index]} at run step {@code step}. */
    public Builder payload(int step, String port, int index, int value) {
      Objects.requireNonNull(port, "port");
      if (step < 0 || step >= steps) {
        throw new QuenchException("input event on port '" + port + "' at step " + step
            + " lies outside the run's " + steps + " steps");
      }
      if (index < 0) {
        throw new QuenchException("input event on port '" + port + "' has negative index " + index);
      }
      int[][] arrays = raw.computeIfAbsent(port, p -> new int[3][16]);
      int n = sizes.getOrDefault(port, 0);
      if (n == arrays[0].length) {
        for (int k = 0; k < 3; k++) {
          arrays[k] = Arrays.copyOf(arrays[k], n * 2);
        }
      }
      arrays[0][n] = step;
      arrays[1][n] = index;
      arrays[2][n] = value;
      sizes.put(port, n + 1);
      return this;
    }

    /** From run step {@code step} on, the population's bias mantissas are {@code biasMant}. */
    public Builder bias(int step, String population, int[] biasMant) {
      Objects.requireNonNull(population, "population");
      if (step < 0 || step >= Math.max(steps, 1)) {
        throw new QuenchException("bias change of population '" + population + "' at step " + step
            + " lies outside the run's " + steps + " steps");
      }
      bias.add(new BiasChange(step, population, biasMant.clone()));
      return this;
    }

    public Stimulus build() {
      Map<String, PortEvents> events = new LinkedHashMap<>();
      for (Map.Entry<String, int[][]> e : raw.entrySet()) {
        int n = sizes.get(e.getKey());
        int[][] a = e.getValue();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
          order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Integer.compare(a[0][x], a[0][y]));
        int[] s = new int[n];
        int[] idx = new int[n];
        int[] val = new int[n];
        for (int i = 0; i < n; i++) {
          s[i] = a[0][order[i]];
          idx[i] = a[1][order[i]];
          val[i] = a[2][order[i]];
        }
        events.put(e.getKey(), new PortEvents(e.getKey(), s, idx, val));
      }
      List<BiasChange> sortedBias = new ArrayList<>(bias);
      sortedBias.sort((x, y) -> Integer.compare(x.step(), y.step()));
      return new Stimulus(steps, events, sortedBias);
    }
  }
}
