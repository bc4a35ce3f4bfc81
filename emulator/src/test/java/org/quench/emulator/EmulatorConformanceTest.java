package org.quench.emulator;

import org.quench.hal.Device;
import org.quench.hal.Devices;

/** The emulator with four worker threads passes the kit against the single-threaded reference. */
class EmulatorConformanceTest extends DeviceConformanceKit {
  @Override
  protected Device openDeviceUnderTest() {
    return Devices.open("emu:loihi?threads=4&serial=7");
  }
}
