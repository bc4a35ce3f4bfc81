package org.quench.runtime.bench;

import org.quench.emulator.EmulatorDevice;
import org.quench.hal.Device;
import org.quench.hal.QuenchException;

/**
 * Work counters of a device, cumulative since load: what the benchmark divides by time. Only the
 * in-process emulator keeps them.
 */
record DeviceCounters(long steps, long neuronUpdates, long synapticEvents, long spikes,
    long synapseCount, long synapseBytes, long stateBytes) {

  static DeviceCounters of(Device device) {
    if (device instanceof EmulatorDevice emulator) {
      EmulatorDevice.Stats s = emulator.stats();
      return new DeviceCounters(s.steps(), s.neuronUpdates(), s.synapticEvents(), s.spikes(),
          s.synapseCount(), s.synapseBytes(), s.stateBytes());
    }
    throw new QuenchException("device " + device.info().uri() + " does not report work counters;"
        + " quench bench needs the in-process emulator (emu:)");
  }

  /** Counts accumulated between {@code before} and this snapshot (sizes are this snapshot's). */
  DeviceCounters since(DeviceCounters before) {
    return new DeviceCounters(steps - before.steps, neuronUpdates - before.neuronUpdates,
        synapticEvents - before.synapticEvents, spikes - before.spikes, synapseCount, synapseBytes,
        stateBytes);
  }
}
