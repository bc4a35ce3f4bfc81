package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Probe;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;

/** The kit catches devices that are almost, but not exactly, the emulator. */
class DeviceConformanceKitTest {
  /** Delegates to an emulator; subclasses break one behaviour. */
  private static class Wrapped implements Device {
    final Device inner = new EmulatorDevice(ChipSpec.loihi(), "0", 1);

    @Override public DeviceInfo info() { return inner.info(); }
    @Override public void load(ChipImage image) { inner.load(image); }
    @Override public void attach(Probe probe) { inner.attach(probe); }
    @Override public void detachAll() { inner.detachAll(); }
    @Override public RunResult run(Stimulus s) { return inner.run(s); }
    @Override public int[] read(Probe probe) { return inner.read(probe); }
    @Override public void reset() { inner.reset(); }
    @Override public long time() { return inner.time(); }
    @Override public DeviceProfile profile() { return inner.profile(); }
    @Override public void close() { inner.close(); }
  }

  private static DeviceConformanceKit kitFor(java.util.function.Supplier<Device> device) {
    return new DeviceConformanceKit() {
      @Override
      protected Device openDeviceUnderTest() {
        return device.get();
      }
    };
  }

  @Test
  void aDeviceThatLosesTheLastOutputSpikeFails() {
    DeviceConformanceKit kit = kitFor(() -> new Wrapped() {
      @Override
      public RunResult run(Stimulus s) {
        RunResult r = inner.run(s);
        Map<String, RunResult.SpikeEvents> outs = new LinkedHashMap<>();
        r.outputs().forEach((port, e) -> {
          int n = Math.max(0, e.count() - 1);
          outs.put(port, new RunResult.SpikeEvents(e.width(), Arrays.copyOf(e.steps(), n),
              Arrays.copyOf(e.indices(), n), Arrays.copyOf(e.values(), n)));
        });
        return new RunResult(r.steps(), r.firstStep(), outs, r.traces());
      }
    });
    assertThrows(AssertionFailedError.class, kit::seededImagesRunBitIdenticallyToTheEmulator);
  }

  @Test
  void aDeviceWhoseResetKeepsTheMembraneStateFails() {
    DeviceConformanceKit kit = kitFor(() -> new Wrapped() {
      long offset;

      @Override
      public void reset() {
        offset = inner.time(); // forgets to reset anything but pretends to be at step 0
      }

      @Override
      public long time() {
        return inner.time() - offset;
      }
    });
    assertThrows(AssertionFailedError.class, kit::resetReproducesTheFirstRunExactly);
  }

  @Test
  void aDeviceThatForgetsStateBetweenRunsFails() {
    DeviceConformanceKit kit = kitFor(() -> new Wrapped() {
      @Override
      public RunResult run(Stimulus s) {
        long t = inner.time();
        inner.reset(); // every run starts from the initial state: chunked streaming breaks
        RunResult r = inner.run(s);
        return new RunResult(r.steps(), t, r.outputs(), r.traces());
      }
    });
    assertThrows(AssertionFailedError.class, kit::stateCarriesOverSoChunkedRunsEqualOneRun);
  }
}
