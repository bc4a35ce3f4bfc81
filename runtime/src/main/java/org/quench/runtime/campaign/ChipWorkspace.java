package org.quench.runtime.campaign;

import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.proto.ChipImage;

/**
 * A worker thread's reusable chip state for a campaign, and the time it spent. Each
 * {@link ChipRun} opens its chip through {@link Devices#open} and loads its image; the workspace
 * gives each thread one place to keep what can be reused between chips. Not thread-safe: one per
 * thread.
 */
public final class ChipWorkspace implements AutoCloseable {
  private long chips;
  private long setupNanos;
  private long runNanos;

  /** Runs {@code run}'s chip on {@code image} and returns its outputs. */
  ChipOutputs measure(MismatchCampaign campaign, ChipRun run, ChipImage image) {
    long t0 = System.nanoTime();
    try (Device device = Devices.open(campaign.chipUri(run.serial(), run.variability()))) {
      device.load(image);
      long t1 = System.nanoTime();
      ChipOutputs outputs = campaign.measure(device);
      long t2 = System.nanoTime();
      chips++;
      setupNanos += t1 - t0;
      runNanos += t2 - t1;
      return outputs;
    }
  }

  /** Chips measured and where their time went, since this workspace was made. */
  public WorkTiming timing() {
    return new WorkTiming(chips, setupNanos, runNanos);
  }

  @Override
  public void close() {}

  /**
   * Where a campaign's time went, summed over chips (and threads).
   *
   * @param chips chips measured
   * @param setupNanos opening each chip and loading its image (profile applied)
   * @param runNanos running the samples and reading outputs
   */
  public record WorkTiming(long chips, long setupNanos, long runNanos) {
    /** The sum of two timings. */
    public WorkTiming plus(WorkTiming o) {
      return new WorkTiming(chips + o.chips, setupNanos + o.setupNanos, runNanos + o.runNanos);
    }

    /** No work. */
    public static WorkTiming none() {
      return new WorkTiming(0, 0, 0);
    }
  }
}
