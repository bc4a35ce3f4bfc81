package org.quench.runtime.compile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.Devices;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/** NIR models through the float compile path, run on the emulator. */
class NirOnEmulatorTest {
  private static Path model(String name) {
    try {
      return Path.of(NirOnEmulatorTest.class.getResource("/nir/real/" + name).toURI());
    } catch (URISyntaxException | NullPointerException e) {
      // the compiler module's test resources are not on this classpath: use the shared copy
      return Path.of("../compiler/src/test/resources/nir/real/" + name);
    }
  }

  private static RunResult run(String file, NirImportOptions o, Stimulus s) {
    Network n = Frontends.load(model(file), o);
    Compiler.Result r = Compiler.forNir(o).compile(n, ChipSpec.loihi());
    try (Device d = Devices.open("emu:loihi")) {
      d.load(r.image());
      return d.run(s);
    }
  }

  @Test
  void lifNorseSpikesWhenTheFloatModelDoes() {
    int steps = 60;
    Stimulus.Builder s = Stimulus.builder(steps);
    for (int t = 0; t < 40; t++) {
      s.spike(t, "input", 0);
    }
    RunResult r = run("lif_norse.nir", NirImportOptions.defaults(), s.build());
    int[][] got = r.output("1").dense(steps);
    // Float model, exact convention: v = keep v + (1 - keep) * w * x[t-1] (one-step lag), spike
    // when v > 0.1, then v = 0; w = 1, tau = 2.5 ms, dt = 0.1 ms.
    double keep = Math.exp(-1e-4 / 0.0024999999441206455);
    double v = 0;
    int[] want = new int[steps];
    for (int t = 0; t < steps; t++) {
      double x = t >= 1 && t - 1 < 40 ? 1 : 0;
      v = keep * v + (1 - keep) * x;
      if (v > 0.10000000149011612) {
        want[t] = 1;
        v = 0;
      }
    }
    int[] spikes = new int[steps];
    for (int t = 0; t < steps; t++) {
      spikes[t] = got[t][0];
    }
    assertArrayEquals(want, spikes);
  }

  @Test
  void brailleAndTheSinabsCnnRunOnTheEmulator() {
    Random rng = new Random(1);
    Stimulus.Builder s = Stimulus.builder(100);
    for (int t = 0; t < 100; t++) {
      for (int i = 0; i < 12; i++) {
        if (rng.nextDouble() < 0.3) {
          s.spike(t, "input", i);
        }
      }
    }
    RunResult braille = run("braille_noDelay_bias_zero.nir", NirImportOptions.defaults()
        .withDiscretization(Discretization.Convention.FORWARD_EULER), s.build());
    assertEquals(7, braille.output("lif2").width());
    Stimulus.Builder c = Stimulus.builder(20);
    for (int t = 0; t < 20; t++) {
      for (int i = 0; i < 2 * 34 * 34; i += 7) {
        c.spike(t, "input", (i + t) % (2 * 34 * 34));
      }
    }
    Network cnn = Frontends.load(model("cnn_sinabs.nir"), NirImportOptions.defaults());
    RunResult r = run("cnn_sinabs.nir", NirImportOptions.defaults(), c.build());
    assertTrue(r.outputs().size() == cnn.outputs().size());
  }
}
