package org.quench.runtime.campaign;

import java.util.Objects;
import org.quench.hal.DeviceProfile;
import org.quench.hal.QuenchException;

/**
 * One work item of a campaign: chip {@code serial} drawn from {@code variability}, with or
 * without compensation, running every sample of the campaign. {@link #run()} is a pure function
 * of (campaign set-up, serial, variability, compensated): the same record on any thread, in any
 * order, in any process that prepared the same campaign.
 *
 * @param campaign the shared set-up
 * @param serial chip serial (>= 1 in campaigns; 0 is the nominal chip)
 * @param variability one of the campaign's variability levels (a preset name or a model file)
 * @param compensated compile against this chip's profile first
 */
public record ChipRun(MismatchCampaign campaign, long serial, String variability, boolean compensated) {
  public ChipRun {
    Objects.requireNonNull(campaign, "campaign");
    Objects.requireNonNull(variability, "variability");
    if (serial < 0) {
      throw new QuenchException("chip serial " + serial + " is negative");
    }
    campaign.level(variability);
  }

  /** Runs this chip on a fresh workspace; its time adds to {@link MismatchCampaign#timing()}. */
  public ChipResult run() {
    try (ChipWorkspace workspace = new ChipWorkspace()) {
      ChipResult result = run(workspace);
      campaign.record(workspace.timing());
      return result;
    }
  }

  /**
   * Runs this chip reusing {@code workspace}'s emulator state (one workspace per thread); the
   * result does not depend on what the workspace ran before.
   */
  public ChipResult run(ChipWorkspace workspace) {
    ChipOutputs outputs;
    try {
      DeviceProfile chip = campaign.chip(serial, variability);
      outputs = workspace.measure(campaign, chip, campaign.imageFor(this, chip));
    } catch (QuenchException e) {
      throw new QuenchException("chip " + serial + " (" + variability
          + (compensated ? ", compensated" : "") + "): " + e.getMessage(), e);
    }
    return campaign.compare(serial, variability, compensated, outputs);
  }
}
