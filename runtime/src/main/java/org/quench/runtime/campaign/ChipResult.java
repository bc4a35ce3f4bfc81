package org.quench.runtime.campaign;

/**
 * What one chip of a campaign measured: a pure function of (image, variability, serial,
 * compensation, inputs), so two runs, any thread count and any split of the campaign across
 * processes give equal records. Metrics that were not measured are NaN.
 *
 * @param serial the chip instance's serial (1-based in a campaign; 0 is the nominal chip)
 * @param variability the variability level it was drawn from (a preset name or a model file)
 * @param compensated whether the image was compiled against this chip's profile
 * @param correlation {@link CampaignMetric#CORRELATION}
 * @param agreement {@link CampaignMetric#AGREEMENT}
 * @param accuracy {@link CampaignMetric#ACCURACY}, NaN without labels
 * @param rate output spikes per output neuron per step, over all samples
 * @param rateError {@link CampaignMetric#RATE_ERROR}
 * @param nrmse {@link CampaignMetric#NRMSE}, NaN without a readout
 * @param outputSpikes output spikes over all samples
 */
public record ChipResult(long serial, String variability, boolean compensated, double correlation,
    double agreement, double accuracy, double rate, double rateError, double nrmse, long outputSpikes) {

  /** The key that identifies this chip's run within a campaign. */
  public ChipKey key() {
    return new ChipKey(serial, variability, compensated);
  }

  /**
   * Identifies one chip run in a campaign: which chip, drawn from which variability level, with or
   * without compensation.
   *
   * @param serial chip serial
   * @param variability variability level
   * @param compensated compiled against the chip's profile
   */
  public record ChipKey(long serial, String variability, boolean compensated) {}
}
