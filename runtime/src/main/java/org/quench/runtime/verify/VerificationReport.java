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
 * @param notes populations not compared, and why
 * @param dtSeconds seconds of model time per step (the image's dt), NaN when unknown
 */
public record VerificationReport(String device, int steps, long inputEvents,
    List<PopulationAgreement> populations, List<PopulationAgreement> againstDiscretized,
    List<String> notes, double dtSeconds) {

  public VerificationReport {
    populations = List.copyOf(populations);
    againstDiscretized = List.copyOf(againstDiscretized);
    notes = List.copyOf(notes);
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
   * @param toleranceSteps how far (in steps) a spike may move and still agree, for the next field
   * @param agreementWithinTolerance fraction of steps x neurons that agree when each spike may be
   *     matched by one on the other side within {@code toleranceSteps}; equals {@code agreement}
   *     for binary spikes at tolerance 0
   * @param sameCounts whether every neuron spiked as often on both sides
   */
  public record PopulationAgreement(String population, int neurons, boolean output,
      long referenceSpikes, long deviceSpikes, double referenceRate, double deviceRate,
      double rateDifference, Double countCorrelation, String correlationNote, double agreement,
      Integer firstDifferenceStep, Integer firstDifferenceNeuron, Integer referenceArgmax,
      Integer deviceArgmax, Boolean argmaxAgrees, String argmaxNote, int toleranceSteps,
      double agreementWithinTolerance, boolean sameCounts) {}

  /** A copy with one more note (e.g. how the input was made). */
  public VerificationReport withNote(String note) {
    List<String> more = new java.util.ArrayList<>(notes);
    more.add(note);
    return new VerificationReport(device, steps, inputEvents, populations, againstDiscretized, more,
        dtSeconds);
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
    out.append("  ").append(Double.isNaN(dtSeconds) ? "dt: not recorded in the image"
        : String.format(Locale.ROOT, "dt %s s per step: %d steps = %s ms of model time",
            (float) dtSeconds, steps, (float) (steps * dtSeconds * 1e3))).append(System.lineSeparator());
    table(out, populations);
    if (!againstDiscretized.isEmpty()) {
      out.append("Against the discretized model in double precision (quantization alone):")
          .append(System.lineSeparator());
      table(out, againstDiscretized);
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
    int tolerance = rows.isEmpty() ? 0 : rows.get(0).toleranceSteps();
    String head = "  %-" + nameWidth + "s %7s %9s %9s %10s %8s %8s" + (tolerance > 0 ? " %9s" : "%s") + "  %s%n";
    out.append(String.format(Locale.ROOT, head, "population", "neurons", "ref rate", "dev rate",
        "rate diff", "corr", "agree", tolerance > 0 ? "+-" + tolerance + " step" : "", "first difference"));
    String row = "  %-" + nameWidth + "s %7d %9.4f %9.4f %+10.4f %8s %7.2f%%" + (tolerance > 0 ? " %8.2f%%" : "%s") + "  %s%n";
    for (PopulationAgreement p : rows) {
      String corr = p.countCorrelation() == null ? "n/a"
          : String.format(Locale.ROOT, "%.3f", p.countCorrelation());
      String first = p.firstDifferenceStep() == null ? "none"
          : "step " + p.firstDifferenceStep() + ", neuron " + p.firstDifferenceNeuron();
      out.append(String.format(Locale.ROOT, row, p.population(), p.neurons(), p.referenceRate(),
          p.deviceRate(), p.rateDifference(), corr, 100 * p.agreement(),
          tolerance > 0 ? (Object) (100 * p.agreementWithinTolerance()) : "", first));
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
    root.add("dtSeconds", Double.isNaN(dtSeconds) ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(dtSeconds));
    root.add("populations", array(populations));
    root.add("againstDiscretized", array(againstDiscretized));
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
      o.addProperty("toleranceSteps", p.toleranceSteps());
      o.addProperty("agreementWithinTolerance", p.agreementWithinTolerance());
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
