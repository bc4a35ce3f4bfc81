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
  }

  @org.junit.jupiter.api.io.TempDir
  Path tempDir;

  @Test
  void frontendsTellNirFromNetxByContent() throws Exception {
    assertEquals(Frontends.Format.NIR, Frontends.detect(real("lif_norse.nir")));
    Path netx = Path.of(NirCompileTest.class.getResource("/golden/netx-random-1001/random.net").toURI());
    assertEquals(Frontends.Format.NETX, Frontends.detect(netx));
    Path text = tempDir.resolve("model.nir");
    java.nio.file.Files.writeString(text, "not hdf5");
    String m = org.junit.jupiter.api.Assertions.assertThrows(org.quench.hal.QuenchException.class,
        () -> Frontends.detect(text)).getMessage();
    assertTrue(m.contains("not an HDF5 file"), m);
  }

  @Test
  void brailleCompilesWithForwardEulerGainsOfOne() {
    NirImportOptions o = NirImportOptions.defaults()
        .withDiscretization(Discretization.Convention.FORWARD_EULER);
    Compiler.Result r = compile("braille_noDelay_bias_zero.nir", o);
    assertEquals(1, r.image().getCoresCount());
    // snnTorch's export: w_in * (dt/tau_syn) * r * (dt/tau_mem) = 1, so a spike on input 0 adds
    // fc1.weight[0][0] model volts to neuron 0: the chip adds that times scale / 2^6 to u.
    double scale = r.report().populations().get(0).scale();
    org.quench.compiler.ir.Projection in = r.network().projections().stream()
        .filter(p -> p.name().equals("input->lif1.lif")).findFirst().orElseThrow();
    int e = in.format().weightExp();
    int k = in.rowStart(0); // source 0; its first synapse goes to target 0
    assertEquals(0, in.target(k));
    double want = -1.3380635976791382 * scale / 64;
    assertTrue(Math.abs(Math.scalb((double) in.fixedWeight(k), e) - want) <= Math.scalb(1.0, e) + 1e-9,
        in.fixedWeight(k) + " * 2^" + e + " vs " + want);
    org.quench.compiler.ir.Projection rec = r.network().projections().stream()
        .filter(p -> p.name().equals("lif1.lif->lif1.lif")).findFirst().orElseThrow();
    assertEquals(0, rec.maxDelay(), "a recurrent edge is the chip's natural one-step lag");
    String json = r.report().toJson();
    for (String key : new String[] {"\"chips\":1", "\"cores\":[", "\"population\":\"lif1.lif\"",
        "\"tauMemRelError\":{\"count\":38", "\"dtSeconds\":1.0E-4", "\"neurons\":[{", "\"projections\":[", "\"traffic\":{", "\"warnings\":[",
        "\"decisions\":[", "\"uHeadroomBits\""}) {
      assertTrue(json.contains(key), key + " in the report JSON");
    }
    assertEquals(json.chars().filter(c -> c == '{').count(), json.chars().filter(c -> c == '}').count());
    assertTrue(r.report().summary().lines().count() <= 14, r.report().summary());
  }

  @Test
  void theSameModelAndOptionsGiveTheSameImageBytes() {
    NirImportOptions o = NirImportOptions.defaults().withDiscretization(
        Discretization.Convention.FORWARD_EULER);
    byte[] a = compile("braille_noDelay_bias_zero.nir", o).image().toByteArray();
    byte[] b = compile("braille_noDelay_bias_zero.nir", o).image().toByteArray();
    org.junit.jupiter.api.Assertions.assertArrayEquals(a, b);
  }

  @Test
  void cnnSinabsFitsTheLoihiSpec() {
    Compiler.Result r = compile("cnn_sinabs.nir", NirImportOptions.defaults());
    // Measured: 22 cores of one chip (8970 neurons, 1.1M synapses); the bound is the chip.
    assertTrue(r.image().getCoresCount() > 1 && r.image().getCoresCount() <= 128,
        r.image().getCoresCount() + " cores");
    assertEquals(1, r.report().chips());
    for (CompileReport.CoreUsage c : r.report().cores()) {
      assertTrue(c.outputAxons() <= 4096 && c.inputAxons() <= 4096);
    }
  }
}
