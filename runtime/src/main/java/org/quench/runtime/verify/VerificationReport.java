package org.quench.runtime.verify;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.util.List;
import java.util.Locale;

/**
 * How closely a device's spikes follow the float reference on the same input, per population.
 * Rates are spikes per neuron per step; agreement is the fraction of (step, neuron) cells where
 * both produced the same spike value. Quantities that are undefined (a correlation when one side's
 * counts do not vary, an argmax when no output neuron spiked) are {@code null} with a note saying
 * why, never NaN. Immutable.
 *
 * @param device the device URI
 * @param steps number of steps run
 * @param inputEvents number of host input events (spikes or payloads) in the stimulus
 * @param populations one entry per population compared with the float reference, in network order
 * @param againstDiscretized the same comparisons against the discretized model (after the
 *     discretize and profile-budget passes, in double precision): what quantization alone
 *     changed; empty when the model had no float populations
 * @param againstNominal when the device is an imperfect chip instance (a non-nominal device
 *     profile): the same comparisons against the nominal image on an ideal emulated chip, where
 *     "reference" means the ideal chip: what the chip's variability alone changed
 *     (docs/variability.md); empty otherwise
 * @param notes populations not compared, and why
 */
public record VerificationReport(String device, int steps, long inputEvents,
    List<PopulationAgreement> populations, List<PopulationAgreement> againstDiscretized,
    List<PopulationAgreement> againstNominal, List<String> notes) {

  public VerificationReport {
    populations = List.copyOf(populations);
    againstDiscretized = List.copyOf(againstDiscretized);
    againstNominal = List.copyOf(againstNominal);
    notes = List.copyOf(notes);
  }

  /** A report without a nominal-chip comparison. */
  public VerificationReport(String device, int steps, long inputEvents,
      List<PopulationAgreement> populations, List<PopulationAgreement> againstDiscretized,
      List<String> notes) {
    this(device, steps, inputEvents, populations, againstDiscretized, List.of(), notes);
  }

  /**
   * One population's comparison.
   *
   * @param population name (the same in the float network and the image's symbol table)
   * @param neurons number of neurons
   * @param output whether the host reads this population (argmax fields are set only then)
   * @param referenceSpikes total spikes in the reference
   * @param deviceSpikes total spikes on the device
   * @param referenceRate spikes per neuron per step in the reference
   * @param deviceRate spikes per neuron per step on the device
   * @param rateDifference {@code deviceRate - referenceRate}
   * @param countCorrelation Pearson correlation over neurons of the per-neuron spike counts, or
   *     null when undefined
   * @param correlationNote why the correlation is undefined (null when it is defined)
   * @param agreement fraction of steps × neurons with the same spike value, in [0, 1]
   * @param firstDifferenceStep first step (0-based) where the spikes differ, or null
   * @param firstDifferenceNeuron the lowest neuron index differing at that step, or null
   * @param referenceArgmax output only: neuron with the most reference spikes (lowest on a tie)
   * @param deviceArgmax output only: the same on the device
   * @param argmaxAgrees output only: whether the two argmaxes are the same neuron
   * @param argmaxNote output only: why an argmax is undefined (no spikes), else null
   */
  public record PopulationAgreement(String population, int neurons, boolean output,
      long referenceSpikes, long deviceSpikes, double referenceRate, double deviceRate,
      double rateDifference, Double countCorrelation, String correlationNote, double agreement,
      Integer firstDifferenceStep, Integer firstDifferenceNeuron, Integer referenceArgmax,
      Integer deviceArgmax, Boolean argmaxAgrees, String argmaxNote) {}

  /** A copy with one more note (e.g. how the input was made). */
  public VerificationReport withNote(String note) {
    List<String> more = new java.util.ArrayList<>(notes);
    more.add(note);
    return new VerificationReport(device, steps, inputEvents, populations, againstDiscretized,
        againstNominal, more);
  }

  /** The entry for {@code population}, or an error naming the compared ones. */
  public PopulationAgreement population(String population) {
    for (PopulationAgreement p : populations) {
      if (p.population().equals(population)) {
        return p;
      }
    }
    throw new org.quench.hal.QuenchException("the verification report has no population '"
        + population + "'; it compared " + populations.stream().map(PopulationAgreement::population)
        .toList());
  }

  /** A readable table, one line per population, then the output argmax lines and notes. */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Verification against the float reference: %s, %d steps,"
        + " %d input events%n", device, steps, inputEvents));
    table(out, populations);
    if (!againstDiscretized.isEmpty()) {
      out.append("Against the discretized model in double precision (quantization alone):")
          .append(System.lineSeparator());
      table(out, againstDiscretized);
    }
    if (!againstNominal.isEmpty()) {
      out.append("Against the nominal chip (ref = an ideal chip running the nominal image; variability alone):")
          .append(System.lineSeparator());
      table(out, againstNominal);
    }
    for (String note : notes) {
      out.append("  note: ").append(note).append(System.lineSeparator());
    }
    return out.toString();
  }

  private static void table(StringBuilder out, List<PopulationAgreement> rows) {
    int nameWidth = "population".length();
    for (PopulationAgreement p : rows) {
      nameWidth = Math.max(nameWidth, p.population().length());
    }
    String head = "  %-" + nameWidth + "s %7s %9s %9s %10s %8s %8s  %s%n";
    out.append(String.format(Locale.ROOT, head, "population", "neurons", "ref rate", "dev rate",
        "rate diff", "corr", "agree", "first difference"));
    String row = "  %-" + nameWidth + "s %7d %9.4f %9.4f %+10.4f %8s %7.2f%%  %s%n";
    for (PopulationAgreement p : rows) {
      String corr = p.countCorrelation() == null ? "n/a"
          : String.format(Locale.ROOT, "%.3f", p.countCorrelation());
      String first = p.firstDifferenceStep() == null ? "none"
          : "step " + p.firstDifferenceStep() + ", neuron " + p.firstDifferenceNeuron();
      out.append(String.format(Locale.ROOT, row, p.population(), p.neurons(), p.referenceRate(),
          p.deviceRate(), p.rateDifference(), corr, 100 * p.agreement(), first));
    }
    for (PopulationAgreement p : rows) {
      if (p.countCorrelation() == null) {
        out.append("  ").append(p.population()).append(": correlation undefined: ")
            .append(p.correlationNote()).append(System.lineSeparator());
      }
    }
    for (PopulationAgreement p : rows) {
      if (!p.output()) {
        continue;
      }
      out.append("  output ").append(p.population()).append(": ");
      if (p.argmaxAgrees() == null) {
        out.append("argmax undefined: ").append(p.argmaxNote());
      } else {
        out.append("argmax of spike counts ").append(p.argmaxAgrees() ? "agrees" : "DIFFERS")
            .append(" (reference ").append(p.referenceArgmax()).append(", device ")
            .append(p.deviceArgmax()).append(')');
      }
      out.append(System.lineSeparator());
    }
  }

  /** The report as pretty-printed JSON; undefined values are JSON null with a note. */
  public String toJson() {
    JsonObject root = new JsonObject();
    root.addProperty("device", device);
    root.addProperty("steps", steps);
    root.addProperty("inputEvents", inputEvents);
    root.add("populations", array(populations));
    root.add("againstDiscretized", array(againstDiscretized));
    root.add("againstNominal", array(againstNominal));
    JsonArray n = new JsonArray();
    notes.forEach(n::add);
    root.add("notes", n);
    return new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(root);
  }

  private static JsonArray array(List<PopulationAgreement> rows) {
    JsonArray pops = new JsonArray();
    for (PopulationAgreement p : rows) {
      JsonObject o = new JsonObject();
      o.addProperty("population", p.population());
      o.addProperty("neurons", p.neurons());
      o.addProperty("output", p.output());
      o.addProperty("referenceSpikes", p.referenceSpikes());
      o.addProperty("deviceSpikes", p.deviceSpikes());
      o.addProperty("referenceRate", p.referenceRate());
      o.addProperty("deviceRate", p.deviceRate());
      o.addProperty("rateDifference", p.rateDifference());
      o.add("countCorrelation", p.countCorrelation() == null ? JsonNull.INSTANCE
          : new com.google.gson.JsonPrimitive(p.countCorrelation()));
      o.addProperty("correlationNote", p.correlationNote());
      o.addProperty("agreement", p.agreement());
      o.addProperty("firstDifferenceStep", p.firstDifferenceStep());
      o.addProperty("firstDifferenceNeuron", p.firstDifferenceNeuron());
      if (p.output()) {
        o.addProperty("referenceArgmax", p.referenceArgmax());
        o.addProperty("deviceArgmax", p.deviceArgmax());
        o.addProperty("argmaxAgrees", p.argmaxAgrees());
        o.addProperty("argmaxNote", p.argmaxNote());
      }
      pops.add(o);
    }
    return pops;
  }
}
