package org.quench.runtime.campaign;

import java.util.Locale;
import org.quench.hal.QuenchException;

/**
 * A figure of merit of one chip in a mismatch campaign, measured against the nominal chip (the
 * same image on an ideal device) or against labels. Each says which direction is better, which
 * sets what "worst chip" and "yield" mean.
 */
public enum CampaignMetric {
  /** Pearson correlation of output spike counts (per sample and output neuron) with nominal. */
  CORRELATION("correlation", true, 0.9),
  /** Fraction of samples whose output argmax equals the nominal chip's. */
  AGREEMENT("agreement", true, 0.9),
  /** Fraction of samples whose output argmax equals the label (needs labels). */
  ACCURACY("accuracy", true, 0.9),
  /** |rate - nominal rate| / nominal rate of the output spikes (absolute rate when nominal is 0). */
  RATE_ERROR("rate-error", false, 0.1),
  /** RMS difference of the readout's v trace from nominal, over the nominal trace's standard deviation. */
  NRMSE("nrmse", false, 0.1);

  private final String key;
  private final boolean higherIsBetter;
  private final double defaultYieldThreshold;

  CampaignMetric(String key, boolean higherIsBetter, double defaultYieldThreshold) {
    this.key = key;
    this.higherIsBetter = higherIsBetter;
    this.defaultYieldThreshold = defaultYieldThreshold;
  }

  /** The name used on the command line, in CSV columns and in JSON. */
  public String key() {
    return key;
  }

  /** Whether a larger value is a better chip. */
  public boolean higherIsBetter() {
    return higherIsBetter;
  }

  /** The threshold of {@code --yield-at} when none is given. */
  public double defaultYieldThreshold() {
    return defaultYieldThreshold;
  }

  /** Whether {@code value} passes {@code threshold} (NaN never passes). */
  public boolean passes(double value, double threshold) {
    if (Double.isNaN(value)) {
      return false;
    }
    return higherIsBetter ? value >= threshold : value <= threshold;
  }

  /** Orders values worst first (NaN counts as worst). */
  public int compareWorstFirst(double a, double b) {
    boolean na = Double.isNaN(a);
    boolean nb = Double.isNaN(b);
    if (na || nb) {
      return na == nb ? 0 : na ? -1 : 1;
    }
    return higherIsBetter ? Double.compare(a, b) : Double.compare(b, a);
  }

  /** This metric's value in a chip's result (NaN when it was not measured). */
  public double of(ChipResult r) {
    return switch (this) {
      case CORRELATION -> r.correlation();
      case AGREEMENT -> r.agreement();
      case ACCURACY -> r.accuracy();
      case RATE_ERROR -> r.rateError();
      case NRMSE -> r.nrmse();
    };
  }

  /** The metric named {@code key} (as printed by {@link #key()}). */
  public static CampaignMetric parse(String key) {
    for (CampaignMetric m : values()) {
      if (m.key.equals(key.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new QuenchException("--metric '" + key + "' is not a campaign metric; choose one of"
        + " correlation, agreement, accuracy, rate-error, nrmse");
  }
}
