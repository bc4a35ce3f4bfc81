package org.quench.compiler;

import java.util.ArrayList;
import java.util.List;

/**
 * What a compilation decided and what it cost: resources per used core, the decisions passes
 * made (e.g. "layer 1 weights optimised: MIXED, 9 bits") and warnings a user should read (clamped
 * delays, semantics that differ from the source framework). Immutable; passes add to a
 * {@link Builder}. Later passes extend it with their own sections.
 */
public final class CompileReport {
  /**
   * Resources of one core. Axon and profile counts follow the spec's definitions: one input axon
   * per (projection, source neuron with a synapse into the core), one output axon per (source
   * neuron on this core, destination core) pair, synapse memory per ChipSpec.synapseBytes summed
   * over the core's axon groups.
   */
  public record CoreUsage(int chip, int core, int neurons, int decayProfiles, int thresholdProfiles,
      int inputAxons, int outputAxons, long synapses, long synapseBytes) {}

  private final List<CoreUsage> cores;
  private final List<String> decisions;
  private final List<String> warnings;

  private CompileReport(Builder b) {
    cores = List.copyOf(b.cores);
    decisions = List.copyOf(b.decisions);
    warnings = List.copyOf(b.warnings);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Used cores in (chip, core) order. */
  public List<CoreUsage> cores() {
    return cores;
  }

  public List<String> decisions() {
    return decisions;
  }

  public List<String> warnings() {
    return warnings;
  }

  /** A multi-line summary a person can read. */
  public String toText() {
    StringBuilder s = new StringBuilder();
    s.append(cores.size()).append(" core(s)\n");
    s.append("chip core neurons decay thr  in_axons out_axons synapses bytes\n");
    for (CoreUsage c : cores) {
      s.append(String.format("%4d %4d %7d %5d %4d %9d %9d %8d %d%n", c.chip(), c.core(), c.neurons(),
          c.decayProfiles(), c.thresholdProfiles(), c.inputAxons(), c.outputAxons(), c.synapses(),
          c.synapseBytes()));
    }
    for (String d : decisions) {
      s.append("decision: ").append(d).append('\n');
    }
    for (String w : warnings) {
      s.append("warning: ").append(w).append('\n');
    }
    return s.toString();
  }

  @Override
  public String toString() {
    return toText();
  }

  /** Collects entries in the order passes add them. */
  public static final class Builder {
    private final List<CoreUsage> cores = new ArrayList<>();
    private final List<String> decisions = new ArrayList<>();
    private final List<String> warnings = new ArrayList<>();

    private Builder() {}

    public Builder core(CoreUsage usage) {
      cores.add(usage);
      return this;
    }

    /** Replaces all core entries (a pass that recomputes resources). */
    public Builder cores(List<CoreUsage> usage) {
      cores.clear();
      cores.addAll(usage);
      return this;
    }

    public Builder decision(String text) {
      decisions.add(text);
      return this;
    }

    public Builder warning(String text) {
      warnings.add(text);
      return this;
    }

    public CompileReport build() {
      return new CompileReport(this);
    }
  }
}
