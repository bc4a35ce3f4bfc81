package org.quench.runtime.campaign;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.quench.hal.Device;
import org.quench.hal.DeviceProfile;
import org.quench.hal.proto.ChipImage;

/**
 * A worker thread's reusable chip state for a campaign, and the time it spent. Each
 * {@link ChipRun} opens its emulated chip and loads its image; the workspace
 * gives each thread one place to keep what can be reused between chips. Not thread-safe: one per
 * thread.
 */
public final class ChipWorkspace implements AutoCloseable {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final boolean cpuTime = THREADS.isCurrentThreadCpuTimeSupported();
  private long chips;
  private long setupNanos;
  private long runNanos;
  private long setupCpuNanos;
  private long runCpuNanos;

  /** Runs the chip {@code chip} describes on {@code image} and returns its outputs. */
  ChipOutputs measure(MismatchCampaign campaign, DeviceProfile chip, ChipImage image) {
    long c0 = cpu();
    long t0 = System.nanoTime();
    try (Device device = campaign.open(chip)) {
      device.load(image);
      long t1 = System.nanoTime();
      long c1 = cpu();
      ChipOutputs outputs = campaign.measure(device);
      long t2 = System.nanoTime();
      long c2 = cpu();
      chips++;
      setupNanos += t1 - t0;
      runNanos += t2 - t1;
      setupCpuNanos += c1 - c0;
      runCpuNanos += c2 - c1;
      return outputs;
    }
  }

  /** This thread's CPU time, ns (0 when the JVM cannot tell). */
  private long cpu() {
    return cpuTime ? THREADS.getCurrentThreadCpuTime() : 0;
  }

  /** Chips measured and where their time went, since this workspace was made. */
  public WorkTiming timing() {
    return new WorkTiming(chips, setupNanos, runNanos, setupCpuNanos, runCpuNanos);
  }

  @Override
  public void close() {}

  /**
   * Where a campaign's time went, summed over chips (and threads).
   *
   * <p>Wall-clock times include waiting for a core when the machine is shared; CPU times (of
   * the worker threads, 0 where the JVM does not measure them) do not.
   *
   * @param chips chips measured
   * @param setupNanos opening each chip and loading its image (profile applied), wall clock
   * @param runNanos running the samples and reading outputs, wall clock
   * @param setupCpuNanos CPU time of the set-up
   * @param runCpuNanos CPU time of the runs
   */
  public record WorkTiming(long chips, long setupNanos, long runNanos, long setupCpuNanos,
      long runCpuNanos) {
    /** The sum of two timings. */
    public WorkTiming plus(WorkTiming o) {
      return new WorkTiming(chips + o.chips, setupNanos + o.setupNanos, runNanos + o.runNanos,
          setupCpuNanos + o.setupCpuNanos, runCpuNanos + o.runCpuNanos);
    }

    /** This timing less an earlier one of the same workspaces. */
    public WorkTiming minus(WorkTiming o) {
      return new WorkTiming(chips - o.chips, setupNanos - o.setupNanos, runNanos - o.runNanos,
          setupCpuNanos - o.setupCpuNanos, runCpuNanos - o.runCpuNanos);
    }

    /** No work. */
    public static WorkTiming none() {
      return new WorkTiming(0, 0, 0, 0, 0);
    }
  }
}
