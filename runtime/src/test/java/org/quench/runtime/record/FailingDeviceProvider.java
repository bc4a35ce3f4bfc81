package org.quench.runtime.record;

import java.net.URI;
import org.quench.emulator.ForwardingDevice;
import org.quench.hal.Device;
import org.quench.hal.DeviceProvider;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/**
 * Test devices that break mid-run: {@code failafter:K} is the ideal emulator ({@code emu:loihi})
 * until its clock reaches step K; a run call that would go past step K fails with a device error,
 * as a board that loses power would.
 */
public final class FailingDeviceProvider implements DeviceProvider {
  @Override
  public String scheme() {
    return "failafter";
  }

  @Override
  public String description() {
    return "test only: the emulator, failing once its clock would pass step K (failafter:K)";
  }

  @Override
  public Device open(URI uri) {
    return new FailingDevice(Devices.open("emu:loihi"), Long.parseLong(uri.getSchemeSpecificPart()));
  }

  /** The wrapped device, failing a run that would go past step {@code failAt}. */
  static final class FailingDevice extends ForwardingDevice {
    private final long failAt;

    FailingDevice(Device inner, long failAt) {
      super(inner);
      this.failAt = failAt;
    }

    @Override
    public RunResult run(Stimulus stimulus) {
      if (inner().time() + stimulus.steps() > failAt) {
        throw new QuenchException("device lost at step " + failAt + " (simulated power failure)");
      }
      return super.run(stimulus);
    }
  }
}
