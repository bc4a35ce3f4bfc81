package org.quench.emulator;

import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Probe;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;

/**
 * A {@link Device} that passes every call to another: subclass it and override the one behaviour
 * a test changes (a run that fails at step K, a reset that keeps state, a lost output spike) while
 * the rest stays the wrapped device's. Ships in the emulator's test-jar beside
 * {@link DeviceConformanceKit} (docs/device-plugins.md); closing it closes the wrapped device.
 */
public class ForwardingDevice implements Device {
  private final Device inner;

  /** Forwards to {@code inner}, which this device then owns. */
  public ForwardingDevice(Device inner) {
    this.inner = inner;
  }

  /** The wrapped device, for overrides that change what it does. */
  protected final Device inner() {
    return inner;
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
