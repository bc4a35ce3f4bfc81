package org.quench.runtime.bench;

import org.quench.emulator.EmulatorDevice;
import org.quench.hal.Device;
import org.quench.hal.QuenchException;

/**
 * Work counters of a device, cumulative since load (or, from {@link #since}, over an interval):
 * what the benchmark divides by time. Only the in-process emulator keeps them.
 *
 * @param steps steps run
 * @param neuronUpdates neuron updates (neurons x steps)
 * @param synapticEvents synapses visited by delivered spikes
 * @param spikes spikes emitted by neurons (host input excluded)
 * @param synapseCount synapses held
 * @param synapseBytes bytes the device holds for synapses
 * @param stateBytes bytes of all other per-neuron and per-core state
 */
public record DeviceCounters(long steps, long neuronUpdates, long synapticEvents, long spikes,
    long synapseCount, long synapseBytes, long stateBytes) {

  /** The counters of {@code device}; a QuenchException if it keeps none. */
  public static DeviceCounters of(Device device) {
    if (device instanceof EmulatorDevice emulator) {
      EmulatorDevice.Stats s = emulator.stats();
      return new DeviceCounters(s.steps(), s.neuronUpdates(), s.synapticEvents(), s.spikes(),
          s.synapseCount(), s.synapseBytes(), s.stateBytes());
    }
    throw new QuenchException("device " + device.info().uri() + " does not report work counters;"
        + " quench bench needs the in-process emulator (emu:)");
  }

  /** Counts accumulated between {@code before} and this snapshot (sizes are this snapshot's). */
  public DeviceCounters since(DeviceCounters before) {
    return new DeviceCounters(steps - before.steps, neuronUpdates - before.neuronUpdates,
        synapticEvents - before.synapticEvents, spikes - before.spikes, synapseCount, synapseBytes,
        stateBytes);
  }
}
