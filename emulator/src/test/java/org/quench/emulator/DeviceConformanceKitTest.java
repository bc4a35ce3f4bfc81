package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/** The kit catches devices that are almost, but not exactly, the emulator. */
class DeviceConformanceKitTest {
  /** An emulator; subclasses break one behaviour. */
  private static class Wrapped extends ForwardingDevice {
    Wrapped() {
      super(new EmulatorDevice(ChipSpec.loihi(), "0", 1));
    }
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
        RunResult r = inner().run(s);
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
        offset = inner().time(); // forgets to reset anything but pretends to be at step 0
      }

      @Override
      public long time() {
        return inner().time() - offset;
      }
    });
    assertThrows(AssertionFailedError.class, kit::resetReproducesTheFirstRunExactly);
  }

  @Test
  void aDeviceThatForgetsStateBetweenRunsFails() {
    DeviceConformanceKit kit = kitFor(() -> new Wrapped() {
      @Override
      public RunResult run(Stimulus s) {
        long t = inner().time();
        inner().reset(); // every run starts from the initial state: chunked streaming breaks
        RunResult r = inner().run(s);
        return new RunResult(r.steps(), t, r.outputs(), r.traces());
      }
    });
    assertThrows(AssertionFailedError.class, kit::stateCarriesOverSoChunkedRunsEqualOneRun);
  }
}
