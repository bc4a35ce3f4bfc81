package org.quench.compiler.reference;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.QuenchException;

/**
 * What one {@link ReferenceSimulator#run} produced: the spikes of every population at every step
 * (0, 1, or -1 for ternary neurons; step {@code k} is the run's (k+1)-th step, as in a device's
 * {@code RunResult}), and, for the populations asked for, u and v after each step (v after the
 * reset of a spike step) in the population's units (model units for float populations, chip units
 * for fixed-point ones). Immutable; accessors return copies.
 */
public final class ReferenceRun {
  /** One population's recording: row-major {@code steps × size}. */
  record Record(int size, byte[] spikes, double[] u, double[] v) {}

  private final int steps;
  private final Map<String, Record> records;

  ReferenceRun(int steps, Map<String, Record> records) {
    this.steps = steps;
    this.records = Collections.unmodifiableMap(new LinkedHashMap<>(records));
  }

  public int steps() {
    return steps;
  }

  /** Names of the recorded populations, in network order. */
  public List<String> populations() {
    return new ArrayList<>(records.keySet());
  }

  /** Number of neurons of {@code population}. */
  public int size(String population) {
    return record(population).size;
  }

  /** The spike of neuron {@code i} at step {@code step}: 0, 1 or -1. */
  public int spike(String population, int step, int i) {
    Record r = record(population);
    if (step < 0 || step >= steps || i < 0 || i >= r.size) {
      throw new QuenchException("reference run: step " + step + ", neuron " + i + " of '"
          + population + "' is outside " + steps + " steps × " + r.size + " neurons");
    }
    return r.spikes[step * r.size + i];
  }

  /** Dense {@code steps × size} matrix of spike values. */
  public int[][] spikes(String population) {
    Record r = record(population);
    int[][] m = new int[steps][r.size];
    for (int k = 0; k < steps; k++) {
      for (int i = 0; i < r.size; i++) {
        m[k][i] = r.spikes[k * r.size + i];
      }
    }
    return m;
  }

  /** Per neuron, the number of steps with a non-zero spike. */
  public int[] spikeCounts(String population) {
    Record r = record(population);
    int[] c = new int[r.size];
    for (int k = 0; k < steps; k++) {
      for (int i = 0; i < r.size; i++) {
        if (r.spikes[k * r.size + i] != 0) {
          c[i]++;
        }
      }
    }
    return c;
  }

  /** Number of non-zero spikes of the population over the run. */
  public long totalSpikes(String population) {
    long total = 0;
    for (int c : spikeCounts(population)) {
      total += c;
    }
    return total;
  }

  /** Whether u and v were traced for {@code population}. */
  public boolean hasStates(String population) {
    return record(population).u != null;
  }

  /** u after each step, row-major {@code steps × size}. */
  public double[] u(String population) {
    return state(population, true);
  }

  /** v after each step (after a spike's reset), row-major {@code steps × size}. */
  public double[] v(String population) {
    return state(population, false);
  }

  private double[] state(String population, boolean u) {
    Record r = record(population);
    if (r.u == null) {
      throw new QuenchException("u and v of population '" + population + "' were not traced; "
          + "name it in ReferenceSimulator.run(stimulus, traced)");
    }
    return (u ? r.u : r.v).clone();
  }

  private Record record(String population) {
    Record r = records.get(population);
    if (r == null) {
      throw new QuenchException("the reference run has no population '" + population
          + "'; it has " + records.keySet());
    }
    return r;
  }
}
