package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirGraph;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.frontend.nir.NirLowering;
import org.quench.compiler.frontend.nir.NirNode;
import org.quench.compiler.frontend.nir.NirTensor;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Provenance;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;

/**
 * NIR readouts without a threshold (LI, CubaLI, I) must never fire on the chip: Quantize gives
 * them the top of {@link ChipSpec#vthRange()}, 2^17 on Loihi, whose effective threshold 2^23 lies
 * above every voltage (docs/chip-semantics.md#the-threshold-range). 131071, the largest 17-bit
 * mantissa, would still fire once v passes 8388544.
 */
class ReadoutThresholdTest {
  private static NirTensor s(double v) {
    return NirTensor.scalar(v);
  }

  /** input(2) -> Linear -> {@code readout}(3) -> output. */
  private static Network network(NirNode readout) {
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put("in", new NirNode.Input(List.of(2)));
    nodes.put("fc", new NirNode.Linear(NirTensor.of(new double[] {1, -2, 3, 0.5, 2, 1}, 3, 2)));
    nodes.put("readout", readout);
    nodes.put("out", new NirNode.Output(List.of(3)));
    List<List<String>> edges = List.of(List.of("in", "fc"), List.of("fc", "readout"),
        List.of("readout", "out"));
    return NirLowering.lower(NirGraph.of("test", nodes, edges), "readout", Provenance.none(),
        NirImportOptions.defaults());
  }

  private static List<NirNode> readouts() {
    return List.of(new NirNode.LI(s(0.01), s(1), s(0)),
        new NirNode.CubaLI(s(0.005), s(0.01), s(1), s(0), s(1)),
        new NirNode.I(s(1)));
  }

  private static void assertNeverFires(ChipSpec spec) {
    int top = spec.vthRange().max();
    for (NirNode readout : readouts()) {
      Compiler.Result r = Compiler.forNir(NirImportOptions.defaults()).compile(network(readout), spec);
      var fixed = r.network().population("readout").fixed();
      for (int i = 0; i < fixed.size(); i++) {
        assertEquals(top, fixed.vth(i), readout.typeName() + " neuron " + i);
      }
      ChipImage image = r.image();
      boolean seen = false;
      for (Core c : image.getCoresList()) {
        for (var t : c.getThresholdProfilesList()) {
          seen |= t.getVth() == top;
        }
      }
      assertTrue(seen, readout.typeName() + ": the image holds vth " + top);
      // No voltage exceeds it: v saturates at voltageRange().max().
      assertTrue(((long) top << spec.thresholdShift()) > spec.voltageRange().max());
    }
  }

  @Test
  void loihiReadoutsGetTheNeverFiringThresholdTwoToTheSeventeen() {
    assertEquals(1 << 17, ChipSpec.loihi().vthRange().max());
    assertNeverFires(ChipSpec.loihi());
  }

  @Test
  void aNarrowChipsReadoutsGetTheTopOfItsOwnThresholdRange() {
    // 10 + 13 = stateBits - 1: 2^10 << 13 = 2^23 is again above every voltage.
    ChipSpec narrow = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("narrow")
        .setThresholdMantBits(10).setThresholdShift(13).build());
    assertEquals(1024, narrow.vthRange().max());
    assertNeverFires(narrow);
  }
}
