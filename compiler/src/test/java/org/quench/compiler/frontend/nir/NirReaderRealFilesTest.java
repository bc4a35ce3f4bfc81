package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The three real NIR files in src/test/resources/nir/real (copied from the NIR paper's models,
 * BSD-3, see LICENSE-NIR.txt).
 *
 * <p>Source of the expected numbers: an independent read of the same files with h5py 3.7.0
 * (Debian's python3-h5py) printing {@code repr(float(x))} of each element, e.g.
 * {@code f['node/nodes/fc1/weight'][0, 0]}, and numpy float64 sums of whole arrays.
 */
class NirReaderRealFilesTest {

  @Test
  void norseLifIsInputAffineLifOutputWithItsParameters() {
    NirGraph g = NirFixtures.read("real/lif_norse.nir");

    assertEquals("0.1.1", g.version());
    assertEquals(List.of("0", "1", "input", "output"), List.copyOf(g.nodes().keySet()));
    NirNode.Affine affine = assertInstanceOf(NirNode.Affine.class, g.node("0"));
    assertArrayEquals(new int[] {1, 1}, affine.weight().shape());
    assertEquals(1.0, affine.weight().get(0));
    assertEquals(0.0, affine.bias().get(0));
    NirNode.LIF lif = assertInstanceOf(NirNode.LIF.class, g.node("1"));
    assertEquals(0.0024999999441206455, lif.tau().get(0)); // float32 0.0025 widened
    assertEquals(0.10000000149011612, lif.vThreshold().get(0));
    assertEquals(1.0, lif.r().get(0));
    assertEquals(0.0, lif.vLeak().get(0));
    // v_reset is absent in this 0.1.1 file: NIR's default 0 applies
    assertEquals(NirTensor.scalar(0.0), lif.vReset());
    assertEquals(List.of(1), ((NirNode.Input) g.node("input")).shape());
    assertEquals(List.of(1), ((NirNode.Output) g.node("output")).shape());
    assertEquals(List.of(List.of("input", "0"), List.of("0", "1"), List.of("1", "output")),
        pairs(g));
    assertEquals(1, g.neuronCount("1"));
  }

  @Test
  void brailleIsTwelveInputsIntoRecurrentCubaLif38IntoCubaLif7() {
    NirGraph g = NirFixtures.read("real/braille_noDelay_bias_zero.nir");

    assertEquals("0.2.0", g.version());
    // the file does not track creation order, so HDF5 keeps (and every reader sees) name order
    assertEquals(List.of("fc1", "fc2", "input", "lif1.lif", "lif1.w_rec", "lif2", "output"),
        List.copyOf(g.nodes().keySet()));
    assertEquals(Map.of("fc1", "Affine", "fc2", "Affine", "input", "Input",
            "lif1.lif", "CubaLIF", "lif1.w_rec", "Affine", "lif2", "CubaLIF", "output", "Output"),
        g.nodes().entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().typeName())));
    assertEquals(List.of(12), ((NirNode.Input) g.node("input")).shape());
    assertEquals(List.of(7), ((NirNode.Output) g.node("output")).shape());
    assertEquals(38, g.neuronCount("lif1.lif"));
    assertEquals(7, g.neuronCount("lif2"));

    // edges in file order; "lif1.lif" is a flat name with a dot, not a nested graph
    assertEquals(List.of(
            List.of("lif1.w_rec", "lif1.lif"), List.of("lif2", "output"), List.of("fc2", "lif2"),
            List.of("input", "fc1"), List.of("lif1.lif", "lif1.w_rec"), List.of("fc1", "lif1.lif"),
            List.of("lif1.lif", "fc2")),
        pairs(g));
    assertTrue(g.edges().stream().allMatch(NirEdge::isLocal));
    // the recurrent loop lif1.lif -> lif1.w_rec -> lif1.lif
    Set<List<String>> edgeSet = Set.copyOf(pairs(g));
    assertTrue(edgeSet.contains(List.of("lif1.lif", "lif1.w_rec")));
    assertTrue(edgeSet.contains(List.of("lif1.w_rec", "lif1.lif")));

    NirNode.Affine fc1 = (NirNode.Affine) g.node("fc1");
    assertArrayEquals(new int[] {38, 12}, fc1.weight().shape());
    assertEquals(-1.3380635976791382, fc1.weight().at(0, 0));
    assertEquals(-0.0005833222530782223, fc1.weight().at(37, 11));
    assertEquals(-0.654830276966095, fc1.weight().at(5, 3));
    assertEquals(-202.84010977228172, sum(fc1.weight()), 1e-9);
    assertEquals(-0.06660466641187668, fc1.bias().get(0));
    assertEquals(0.11628828197717667, fc1.bias().get(2));

    NirNode.Affine rec = (NirNode.Affine) g.node("lif1.w_rec");
    assertArrayEquals(new int[] {38, 38}, rec.weight().shape());
    assertEquals(-0.47309109568595886, rec.weight().at(0, 0));
    assertEquals(0.04670488089323044, rec.weight().at(10, 20));
    assertEquals(-0.7868391871452332, rec.weight().at(37, 37));
    assertEquals(-401.91697428177577, sum(rec.weight()), 1e-9);
    assertEquals(-14.792420740239322, sum(rec.bias()), 1e-9);

    NirNode.CubaLIF lif1 = (NirNode.CubaLIF) g.node("lif1.lif");
    for (NirTensor t : lif1.parameters().values()) {
      assertTrue(t.isSingleValue() || Arrays.equals(new int[] {38}, t.shape()), t.toString());
    }
    assertEquals(0.0002222222281091009, lif1.tauSyn().get(17));
    assertEquals(0.0009999997615814777, lif1.tauMem().get(37));
    assertEquals(9.999997615814776, lif1.r().get(0));
    assertEquals(0.0, lif1.vLeak().get(5));
    assertEquals(1.0, lif1.vThreshold().get(20));
    assertEquals(2.2222222810910086, lif1.wIn().get(3));
    assertEquals(NirTensor.scalar(0.0), lif1.vReset()); // absent in the file

    NirNode.Affine fc2 = (NirNode.Affine) g.node("fc2");
    assertArrayEquals(new int[] {7, 38}, fc2.weight().shape());
    assertEquals(0.11923469603061676, fc2.weight().at(6, 37));
    assertEquals(0.35732531547546387, fc2.bias().get(0));
    assertEquals(0.31571465730667114, fc2.bias().get(6));
    NirNode.CubaLIF lif2 = (NirNode.CubaLIF) g.node("lif2");
    assertEquals(0.0002, lif2.tauSyn().get(6));
    assertEquals(0.0002222222281091009, lif2.tauMem().get(0));
    assertEquals(2.2222222810910086, lif2.r().get(6));
    assertEquals(2.0, lif2.wIn().get(0));
  }

  @Test
  void sinabsCnnIsConvIfPoolFlattenAffineChain() {
    NirGraph g = NirFixtures.read("real/cnn_sinabs.nir");

    assertEquals("0.2.0", g.version());
    assertEquals(List.of("0", "1", "10", "11", "12", "2", "3", "4", "5", "6", "7", "8", "9",
        "input", "output"), List.copyOf(g.nodes().keySet()));
    List<String> chain = List.of("input", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
        "11", "12", "output");
    List<String> types = chain.stream().map(n -> g.node(n).typeName()).toList();
    assertEquals(List.of("Input", "Conv2d", "IF", "Conv2d", "IF", "SumPool2d", "Conv2d", "IF",
        "SumPool2d", "Flatten", "Affine", "IF", "Affine", "IF", "Output"), types);
    // the 14 edges (stored shuffled) form exactly that chain
    Set<List<String>> expected = new java.util.HashSet<>();
    for (int i = 0; i + 1 < chain.size(); i++) {
      expected.add(List.of(chain.get(i), chain.get(i + 1)));
    }
    assertEquals(14, g.edges().size());
    assertEquals(expected, Set.copyOf(pairs(g)));
    assertEquals(List.of("8", "9"), pairs(g).get(0));

    assertEquals(List.of(2, 34, 34), ((NirNode.Input) g.node("input")).shape());
    NirNode.Conv2d conv0 = (NirNode.Conv2d) g.node("0");
    assertArrayEquals(new int[] {16, 2, 5, 5}, conv0.weight().shape());
    assertEquals(List.of(2, 2), conv0.stride());
    assertEquals(new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, List.of(1, 1)),
        conv0.padding());
    assertEquals(List.of(1, 1), conv0.dilation());
    assertEquals(1, conv0.groups());
    assertEquals(java.util.Optional.of(List.of(34, 34)), conv0.inputShape());
    assertEquals(-0.2573421895503998, conv0.weight().at(0, 0, 0, 0));
    assertEquals(0.10971786081790924, conv0.weight().at(15, 1, 4, 4));
    assertEquals(-10.744408309707069, sum(conv0.weight()), 1e-9);
    assertEquals(0.14213654398918152, ((NirNode.Conv2d) g.node("5")).weight().at(7, 15, 2, 2));

    NirNode.IF if1 = (NirNode.IF) g.node("1");
    assertArrayEquals(new int[] {16, 16, 16}, if1.r().shape());
    assertEquals(1.0, if1.vThreshold().at(15, 15, 15));
    assertEquals(NirTensor.scalar(0.0), if1.vReset());
    assertEquals(16 * 16 * 16, g.neuronCount("1"));
    assertEquals(16 * 16 * 16, g.neuronCount("3"));
    assertEquals(8 * 8 * 8, g.neuronCount("6"));
    assertEquals(256, g.neuronCount("10"));
    assertEquals(10, g.neuronCount("12"));

    NirNode.SumPool2d pool = (NirNode.SumPool2d) g.node("4");
    assertEquals(List.of(2, 2), pool.kernelSize());
    assertEquals(List.of(2, 2), pool.stride());
    assertEquals(List.of(0, 0), pool.padding());
    NirNode.Flatten flatten = (NirNode.Flatten) g.node("8");
    assertEquals(List.of(8, 4, 4), flatten.inputType());
    assertEquals(0, flatten.startDim());
    assertEquals(-1, flatten.endDim());
    assertEquals(List.of(128), flatten.outputShape());
    NirNode.Affine fc9 = (NirNode.Affine) g.node("9");
    assertArrayEquals(new int[] {256, 128}, fc9.weight().shape());
    assertEquals(-0.1834588199853897, fc9.weight().at(255, 127));
    assertEquals(-0.3343563675880432, ((NirNode.Affine) g.node("11")).weight().at(9, 255));
  }

  static List<List<String>> pairs(NirGraph g) {
    return g.edges().stream().map(e -> List.of(e.source(), e.target())).toList();
  }

  static double sum(NirTensor t) {
    double s = 0;
    for (int i = 0; i < t.size(); i++) {
      s += t.get(i);
    }
    return s;
  }
}
