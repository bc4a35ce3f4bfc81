package org.quench.runtime.record;

import java.net.URI;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.DeviceProvider;
import org.quench.hal.Devices;
import org.quench.hal.Probe;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;

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

  /** Delegates to {@code inner} and fails a run that would go past step {@code failAt}. */
  static final class FailingDevice implements Device {
    private final Device inner;
    private final long failAt;

    FailingDevice(Device inner, long failAt) {
      this.inner = inner;
      this.failAt = failAt;
    }

    @Override
    public DeviceInfo info() {
      return inner.info();
    }

    @Override
    public void load(ChipImage image) {
      inner.load(image);
    }

    @Override
    public void attach(Probe probe) {
      inner.attach(probe);
    }

    @Override
    public void detachAll() {
      inner.detachAll();
    }

    @Override
    public RunResult run(Stimulus stimulus) {
      if (inner.time() + stimulus.steps() > failAt) {
        throw new QuenchException("device lost at step " + failAt + " (simulated power failure)");
      }
      return inner.run(stimulus);
    }

    @Override
    public int[] read(Probe probe) {
      return inner.read(probe);
    }

    @Override
    public void reset() {
      inner.reset();
    }

    @Override
    public long time() {
      return inner.time();
    }

    @Override
    public DeviceProfile profile() {
      return inner.profile();
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
