package org.quench.compiler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.quench.compiler.frontend.Frontends;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;

class NirCompileTest {
  static Path real(String name) {
    try {
      return Path.of(NirCompileTest.class.getResource("/nir/real/" + name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Compiler.Result compile(String file, NirImportOptions o) {
    Network n = Frontends.load(real(file), o);
    return Compiler.forNir(o).compile(n, ChipSpec.loihi());
  }

  @Test
  void lifNorseCompilesToOneCoreWithItsThresholdAtTheTopOfTheMantissa() {
    Compiler.Result r = compile("lif_norse.nir", NirImportOptions.defaults());
    assertEquals(1, r.image().getCoresCount());
    Population lif = r.network().population("1");
    // threshold 0.1 at the chosen scale, rounded: vth = round(0.1 * scale / 2^6)
    double scale = r.report().populations().get(0).scale();
    assertEquals(Math.round(0.10000000149011612 * scale / 64), lif.fixed().vth(0));
    double realised = lif.fixed().vth(0) * 64.0 / scale;
    assertTrue(Math.abs(realised - 0.1) / 0.1 < 1e-4, "threshold realised as " + realised);
    // tau 2.5 ms at dt 0.1 ms, exact: dv = round(4096 (1 - exp(-0.04)))
    assertEquals((int) Math.floor(4096 * (1 - Math.exp(-1e-4 / 0.0024999999441206455)) + 0.5),
        lif.fixed().dv(0));
    assertEquals(4095, lif.fixed().du(0));
    System.out.println(r.report().summary());
  }

  @Test
  void brailleCompilesWithForwardEulerGainsOfOne() {
    NirImportOptions o = NirImportOptions.defaults()
        .withDiscretization(Discretization.Convention.FORWARD_EULER);
    Compiler.Result r = compile("braille_noDelay_bias_zero.nir", o);
    assertTrue(r.image().getCoresCount() >= 1);
    System.out.println(r.report().summary());
    System.out.println(r.report().toJson());
  }

  @Test
  void cnnSinabsFitsTheLoihiSpec() {
    Compiler.Result r = compile("cnn_sinabs.nir", NirImportOptions.defaults());
    System.out.println(r.report().summary());
    assertTrue(r.image().getCoresCount() > 1);
  }
}
