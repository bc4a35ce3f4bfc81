package org.quench.hal;

import java.util.Objects;

/**
 * A request to record one variable of a contiguous range of a population's neurons at every step
 * of a run. Indices are population indices (as in the source model), not core positions.
 *
 * @param kind what to record
 * @param population population name from the image's symbol table
 * @param first first population index recorded
 * @param count number of neurons recorded; {@code -1} means "to the end of the population"
 */
public record Probe(ProbeKind kind, String population, int first, int count) {
  public Probe {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(population, "population");
    if (first < 0 || count < -1) {
      throw new QuenchException("probe " + kind + ":" + population + " has a negative range");
    }
  }

  /** Records every neuron of the population. */
  public static Probe of(ProbeKind kind, String population) {
    return new Probe(kind, population, 0, -1);
  }

  /** Parses {@code KIND:POPULATION} or {@code KIND:POPULATION[first:end]} (end exclusive). */
  public static Probe parse(String text) {
    int colon = text.indexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new QuenchException("probe '" + text + "' is not KIND:POPULATION (e.g. v:lif1)");
    }
    ProbeKind kind = ProbeKind.parse(text.substring(0, colon));
    String rest = text.substring(colon + 1);
    int bracket = rest.indexOf('[');
    if (bracket < 0) {
      return of(kind, rest);
    }
    if (bracket == 0) {
      throw new QuenchException("probe '" + text + "' names no population (e.g. v:lif1[0:10])");
    }
    String[] bounds = rest.substring(bracket + 1, Math.max(bracket + 1, rest.length() - 1))
        .split(":", -1);
    if (!rest.endsWith("]") || bounds.length != 2) {
      throw new QuenchException("probe '" + text + "': range must look like [first:end]");
    }
    try {
      int from = bounds[0].isEmpty() ? 0 : Integer.parseInt(bounds[0]);
      int to = bounds.length < 2 || bounds[1].isEmpty() ? -1 : Integer.parseInt(bounds[1]);
      if (to >= 0 && to <= from) {
        throw new QuenchException("probe '" + text + "': empty range");
      }
      return new Probe(kind, rest.substring(0, bracket), from, to < 0 ? -1 : to - from);
    } catch (NumberFormatException e) {
      throw new QuenchException("probe '" + text + "': range bounds must be integers");
    }
  }

  @Override
  public String toString() {
    String name = kind.name().toLowerCase(java.util.Locale.ROOT) + ":" + population;
    if (first == 0 && count < 0) {
      return name;
    }
    return name + "[" + first + ":" + (count < 0 ? "" : String.valueOf(first + count)) + "]";
  }
}
