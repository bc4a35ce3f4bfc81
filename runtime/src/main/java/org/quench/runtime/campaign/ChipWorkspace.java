package org.quench.runtime.campaign;

import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.proto.ChipImage;

/**
 * A worker thread's reusable chip state for a campaign. Each {@link ChipRun} opens its chip
 * through {@link Devices#open} and loads its image; the workspace exists so that a runner gives
 * each thread one place to keep what can be reused between chips. Not thread-safe: one per thread.
 */
public final class ChipWorkspace implements AutoCloseable {
  /** Runs {@code run}'s chip on {@code image} and returns its outputs. */
  ChipOutputs measure(MismatchCampaign campaign, ChipRun run, ChipImage image) {
    try (Device device = Devices.open(campaign.chipUri(run.serial(), run.variability()))) {
      device.load(image);
      return campaign.measure(device);
    }
  }

  @Override
  public void close() {}
}
