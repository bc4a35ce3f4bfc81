package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The generated fixtures (src/test/resources/nir/make_fixtures.py). Expected values are computed
 * here from the script's own formulas: {@code ramp(shape, start, step)} fills element i with
 * {@code start + step * i} in float64, cast to float32 in the old-style file.
 */
class NirReaderFixturesTest {
  private static final String OLD = "zoo_old.nir";
  private static final String NEW = "zoo_new.nir";

  /** The script's ramp, element i, in the file's precision. */
  private static double ramp(String file, double start, double step, int i) {
    double v = start + step * i;
    return file.equals(OLD) ? (double) (float) v : v;
  }

  private static void assertRamp(String file, NirTensor t, double start, double step) {
    for (int i = 0; i < t.size(); i++) {
      assertEquals(ramp(file, start, step, i), t.get(i), "element " + i);
    }
  }

  private static void assertAll(NirTensor t, double value, int... shape) {
    assertArrayEquals(shape, t.shape());
    for (int i = 0; i < t.size(); i++) {
      assertEquals(value, t.get(i), "element " + i);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {OLD, NEW})
  void everyNirNodeTypeIsRead(String file) {
    NirGraph g = NirFixtures.read(file);
    Set<String> types = new TreeSet<>();
    collectTypes(g, types);
    assertEquals(new TreeSet<>(NirNode.TYPE_NAMES), types);
    assertEquals(19, types.size());
  }

  private static void collectTypes(NirGraph g, Set<String> types) {
    for (NirNode n : g.nodes().values()) {
      types.add(n.typeName());
      if (n instanceof NirNode.Graph sub) {
        collectTypes(sub.graph(), types);
      }
    }
  }

  @Test
  void oldStyleKeepsNameOrderAndNewStyleKeepsTrackedCreationOrder() {
    List<String> creation = List.of("input", "conv2d", "if", "sumpool", "avgpool", "flatten",
        "affine", "lif", "lif.w_rec", "linear", "cubalif", "scale", "li", "threshold", "delay", "i",
        "cubali", "sub", "output", "input1d", "conv1d", "output1d");
    assertEquals(creation, List.copyOf(NirFixtures.read(NEW).nodes().keySet()));
    // untracked HDF5 groups iterate in byte order of the names
    List<String> byName = new ArrayList<>(creation);
    byName.sort(null);
    assertEquals(byName, List.copyOf(NirFixtures.read(OLD).nodes().keySet()));
  }

  @Test
  void versionIsTheFileVersion() {
    assertEquals("0.2.0", NirFixtures.read(OLD).version());
    assertEquals("1.0.7", NirFixtures.read(NEW).version());
    assertEquals("1.0.7", ((NirNode.Graph) NirFixtures.read(NEW).node("sub")).graph().version());
  }

  @ParameterizedTest
  @ValueSource(strings = {OLD, NEW})
  void denseAndElementwiseNodesCarryTheirParameters(String file) {
    NirGraph g = NirFixtures.read(file);
    NirNode.Affine affine = (NirNode.Affine) g.node("affine");
    assertArrayEquals(new int[] {6, 16}, affine.weight().shape());
    assertRamp(file, affine.weight(), -0.4, 0.01);
    assertRamp(file, affine.bias(), 0.0, 0.5);
    assertEquals(6, affine.outFeatures());
    assertEquals(16, affine.inFeatures());
    // old style stores this bias 0-d: broadcast to the 6 outputs
    assertAll(((NirNode.Affine) g.node("lif.w_rec")).bias(), 0.25, 6);

    NirNode.Linear linear = (NirNode.Linear) g.node("linear");
    assertArrayEquals(new int[] {5, 6}, linear.weight().shape());
    assertEquals(ramp(file, 0.3, -0.02, 6 + 2), linear.weight().at(1, 2));

    // int64 in the file, converted to doubles
    assertEquals(NirTensor.of(new double[] {1, 2, 3, 4, 5}, 5),
        ((NirNode.Scale) g.node("scale")).scale());
    NirTensor threshold = ((NirNode.Threshold) g.node("threshold")).threshold();
    if (file.equals(NEW)) {
      assertEquals(NirTensor.of(new double[] {1, 1, 2, 2, 3}, 5), threshold);
    } else {
      assertAll(threshold, 0.5, 5);
    }
    assertRamp(file, ((NirNode.Delay) g.node("delay")).delay(), 0.001, 0.001);
  }

  @ParameterizedTest
  @ValueSource(strings = {OLD, NEW})
  void convolutionPoolingAndFlattenAreNormalised(String file) {
    NirGraph g = NirFixtures.read(file);
    boolean isNew = file.equals(NEW);

    NirNode.Conv2d conv2d = (NirNode.Conv2d) g.node("conv2d");
    assertArrayEquals(new int[] {4, 2, 3, 3}, conv2d.weight().shape());
    assertRamp(file, conv2d.weight(), -0.5, 0.01);
    assertRamp(file, conv2d.bias(), 0.1, 0.1);
    assertEquals(List.of(1, 1), conv2d.stride()); // new style: one 0-d value for both axes
    assertEquals(isNew ? new NirNode.Padding(NirNode.PaddingMode.SAME, List.of())
        : new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, List.of(1, 1)), conv2d.padding());
    assertEquals(List.of(1, 1), conv2d.dilation());
    assertEquals(1, conv2d.groups());
    assertEquals(Optional.of(List.of(8, 8)), conv2d.inputShape());

    NirNode.Conv1d conv1d = (NirNode.Conv1d) g.node("conv1d");
    assertArrayEquals(new int[] {2, 3, 3}, conv1d.weight().shape());
    assertRamp(file, conv1d.bias(), -1.0, 2.0);
    assertEquals(1, conv1d.stride());
    assertEquals(isNew ? new NirNode.Padding(NirNode.PaddingMode.VALID, List.of(0))
        : new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, List.of(1)), conv1d.padding());
    assertEquals(1, conv1d.dilation());
    assertEquals(Optional.of(10), conv1d.inputLength());

    NirNode.SumPool2d sum = (NirNode.SumPool2d) g.node("sumpool");
    assertEquals(List.of(2, 2), sum.kernelSize());
    assertEquals(List.of(2, 2), sum.stride());
    assertEquals(List.of(0, 0), sum.padding());
    NirNode.AvgPool2d avg = (NirNode.AvgPool2d) g.node("avgpool");
    assertEquals(List.of(2, 2), avg.kernelSize()); // new style: 0-d
    assertEquals(List.of(2, 2), avg.stride());
    assertEquals(List.of(0, 0), avg.padding());

    NirNode.Flatten flatten = (NirNode.Flatten) g.node("flatten");
    assertEquals(List.of(4, 2, 2), flatten.inputType()); // new style: group {"input": ...}
    assertEquals(List.of(16), flatten.outputShape());

    assertEquals(List.of(2, 8, 8), ((NirNode.Input) g.node("input")).shape());
    assertEquals(List.of(3, 10), ((NirNode.Input) g.node("input1d")).shape());
  }

  @Test
  void absentResetAndInputWeightTakeNirDefaults() {
    NirGraph g = NirFixtures.read(OLD);
    assertEquals(NirTensor.scalar(0.0), ((NirNode.IF) g.node("if")).vReset());
    assertEquals(NirTensor.scalar(0.0), ((NirNode.LIF) g.node("lif")).vReset());
    NirNode.CubaLIF cubalif = (NirNode.CubaLIF) g.node("cubalif");
    assertEquals(NirTensor.scalar(0.0), cubalif.vReset());
    assertEquals(NirTensor.scalar(1.0), cubalif.wIn());
    assertEquals(NirTensor.scalar(1.0), ((NirNode.CubaLI) g.node("cubali")).wIn());
  }

  @Test
  void presentResetAndInputWeightAreRead() {
    NirGraph g = NirFixtures.read(NEW);
    assertAll(((NirNode.IF) g.node("if")).vReset(), -0.25, 4, 8, 8);
    assertRamp(NEW, ((NirNode.LIF) g.node("lif")).vReset(), -0.1, -0.1);
    NirNode.CubaLIF cubalif = (NirNode.CubaLIF) g.node("cubalif");
    assertEquals(NirTensor.scalar(0.125), cubalif.vReset());
    assertEquals(NirTensor.scalar(3.0), cubalif.wIn());
    assertRamp(NEW, ((NirNode.CubaLI) g.node("cubali")).wIn(), 0.5, 0.5);
  }

  @ParameterizedTest
  @ValueSource(strings = {OLD, NEW})
  void neuronNodesCarryTheirParametersAndSizes(String file) {
    NirGraph g = NirFixtures.read(file);
    NirNode.IF ifNode = (NirNode.IF) g.node("if");
    assertAll(ifNode.r(), 1.0, 4, 8, 8);
    assertEquals(ramp(file, 1.0, 0.001, 100), ifNode.vThreshold().get(100));
    assertEquals(256, g.neuronCount("if"));

    NirNode.LIF lif = (NirNode.LIF) g.node("lif");
    assertRamp(file, lif.tau(), 0.001, 0.001);
    assertAll(lif.r(), 2.0, 6);
    assertRamp(file, lif.vThreshold(), 0.5, 0.25);
    assertEquals(6, g.neuronCount("lif"));

    // every parameter 0-d: the five neurons are the rows of the Linear feeding it
    NirNode.CubaLIF cubalif = (NirNode.CubaLIF) g.node("cubalif");
    assertTrue(cubalif.neuronShape().isEmpty());
    assertEquals(NirTensor.scalar(ramp(file, 0.002, 0, 0)), cubalif.tauSyn());
    assertEquals(NirTensor.scalar(ramp(file, 0.004, 0, 0)), cubalif.tauMem());
    assertEquals(NirTensor.scalar(1.5), cubalif.r());
    assertEquals(5, g.neuronCount("cubalif"));

    NirNode.LI li = (NirNode.LI) g.node("li");
    assertRamp(file, li.vLeak(), -1.0, 0.5);
    assertEquals(5, g.neuronCount("li"));
    assertRamp(file, ((NirNode.I) g.node("i")).r(), 1.0, 1.0);
    NirNode.CubaLI cubali = (NirNode.CubaLI) g.node("cubali");
    assertRamp(file, cubali.tauSyn(), 0.001, 0.0005);
    assertRamp(file, cubali.tauMem(), 0.01, 0.001);
    assertEquals(5, g.neuronCount("cubali"));
  }

  @ParameterizedTest
  @ValueSource(strings = {OLD, NEW})
  void recurrentEdgeAndNestedGraphAreResolved(String file) {
    NirGraph g = NirFixtures.read(file);
    assertEquals(21, g.edges().size());
    assertTrue(g.edges().contains(
        new NirEdge("lif", "lif.w_rec", List.of("lif"), List.of("lif.w_rec"))));
    assertTrue(g.edges().contains(
        new NirEdge("lif.w_rec", "lif", List.of("lif.w_rec"), List.of("lif"))));

    NirNode.Graph sub = assertInstanceOf(NirNode.Graph.class, g.node("sub"));
    NirGraph inner = sub.graph();
    assertEquals(List.of("input", "neurons", "output", "w").stream().sorted().toList(),
        inner.nodes().keySet().stream().sorted().toList());
    assertEquals(5, inner.neuronCount("neurons"));
    assertAll(((NirNode.CubaLIF) inner.node("neurons")).vThreshold(), 0.75, 5);
    assertTrue(inner.edges().contains(
        new NirEdge("neurons", "w", List.of("neurons"), List.of("w"))));
    assertEquals(inner.node("neurons"), g.node(List.of("sub", "neurons")));

    if (file.equals(OLD)) {
      // NIR's dotted form reaches into the nested graph
      assertTrue(g.edges().contains(
          new NirEdge("cubali", "sub.input", List.of("cubali"), List.of("sub", "input"))));
      assertTrue(g.edges().contains(
          new NirEdge("sub.output", "output", List.of("sub", "output"), List.of("output"))));
    } else {
      assertTrue(g.edges().contains(
          new NirEdge("cubali", "sub", List.of("cubali"), List.of("sub"))));
      assertTrue(g.edges().contains(
          new NirEdge("sub", "output", List.of("sub"), List.of("output"))));
    }
    assertEquals(1, g.edgesInto("sub").size());
    assertEquals(1, g.edgesOutOf("sub").size());
  }

  @Test
  void emptyEdgeListStoredAsFloat64IsNoEdges() {
    NirGraph g = NirFixtures.read("empty_edges.nir");
    assertEquals("1.0.0", g.version());
    assertEquals(List.of("neurons"), List.copyOf(g.nodes().keySet()));
    assertTrue(g.edges().isEmpty());
    assertEquals(1, g.neuronCount("neurons"));
    assertEquals(0.02, ((NirNode.LIF) g.node("neurons")).tau().get(0));
  }

  @Test
  void readingTwiceGivesEqualModels() {
    NirGraph a = NirFixtures.read(NEW);
    NirGraph b = NirFixtures.read(NEW);
    assertEquals(List.copyOf(a.nodes().keySet()), List.copyOf(b.nodes().keySet()));
    assertEquals(a.edges(), b.edges());
    for (String name : a.nodes().keySet()) {
      if (!(a.node(name) instanceof NirNode.Graph)) {
        assertEquals(a.node(name), b.node(name), name);
      }
    }
  }
}
