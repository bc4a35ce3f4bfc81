package org.quench.hal;

import org.quench.hal.proto.ChipImage;

/**
 * A neuromorphic chip (or a system of chips) that runs a {@link ChipImage}: the in-process
 * emulator, a remote board, or a real chip's driver. Open one with {@link Devices#open(String)}.
 *
 * <p>Life cycle: {@link #load} an image (validated against the device's spec; a bad image is
 * refused whole and the device keeps its previous state), {@link #attach} probes, then call
 * {@link #run} any number of times: state carries over from one run to the next, so a long run may
 * be streamed in chunks with identical results. {@link #reset} returns to the loaded initial state.
 *
 * <p>Same image, same stimuli, same device profile: the same bits, on every implementation. A
 * device is not thread-safe; one session drives it at a time.
 */
public interface Device extends AutoCloseable {
  /** What this device is: provider, spec, serial, versions. */
  DeviceInfo info();

  /** Validates and loads an image; on error nothing changes. Detaches all probes. */
  void load(ChipImage image);

  /** Records {@code probe} during every later run until {@link #detachAll()} or load. */
  void attach(Probe probe);

  /** Removes every attached probe. */
  void detachAll();

  /** Runs {@code stimulus.steps()} steps from the current state and returns outputs and traces. */
  RunResult run(Stimulus stimulus);

  /**
   * The current value of a variable for the probe's neurons (state after the last step run; for
   * {@link ProbeKind#SPIKES}, the spikes of the last step).
   */
  int[] read(Probe probe);

  /** Back to the state right after load: initial u, v, empty delay lines, step 0, image biases. */
  void reset();

  /** Steps run since load or reset. */
  long time();

  /** This chip instance's deviations from nominal (empty for an ideal chip). */
  DeviceProfile profile();

  /** Releases the device; later calls fail. Idempotent. */
  @Override
  void close();
}
