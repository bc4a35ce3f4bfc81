package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

/** Edge resolution and population sizing on graphs built in memory. */
class NirGraphTest {

  private static NirTensor zeros(int... shape) {
    int n = 1;
    for (int d : shape) {
      n *= d;
    }
    return NirTensor.of(new double[n], shape);
  }

  /** A LIF whose parameters are all single values, so its size must come from the graph. */
  private static NirNode.LIF broadcastLif() {
    return new NirNode.LIF(NirTensor.scalar(0.01), NirTensor.scalar(1), NirTensor.scalar(0),
        NirTensor.scalar(1), NirTensor.scalar(0));
  }

  private static NirGraph chain(NirNode... nodes) {
    Map<String, NirNode> map = new LinkedHashMap<>();
    for (int i = 0; i < nodes.length; i++) {
      map.put("n" + i, nodes[i]);
    }
    List<List<String>> edges = new java.util.ArrayList<>();
    for (int i = 0; i + 1 < nodes.length; i++) {
      edges.add(List.of("n" + i, "n" + (i + 1)));
    }
    return NirGraph.of("test", map, edges);
  }

  private static NirGraph nested(String outerName, NirGraph inner, NirNode outerNode) {
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put(outerName, new NirNode.Graph(inner));
    nodes.put("x", outerNode);
    return NirGraph.of("test", nodes, List.of());
  }

  @Test
  void exactDottedNameWinsOverNestedPath() {
    NirGraph inner = chain(new NirNode.Input(List.of(2)));
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put("a", new NirNode.Graph(inner));
    nodes.put("a.n0", new NirNode.Input(List.of(3)));
    NirGraph g = NirGraph.of("test", nodes, List.of());
    assertEquals(Optional.of(List.of("a.n0")), g.resolve("a.n0"));
  }

  @Test
  void dottedNameReachesThroughNestedGraphsWhoseNamesHaveDots() {
    NirGraph deepest = chain(new NirNode.Input(List.of(2)));
    NirGraph middle = nested("m.1", deepest, new NirNode.Input(List.of(1)));
    NirGraph outer = nested("o.0", middle, new NirNode.Input(List.of(1)));
    assertEquals(Optional.of(List.of("o.0", "m.1", "n0")), outer.resolve("o.0.m.1.n0"));
    assertEquals(Optional.of(List.of("o.0", "m.1")), outer.resolve("o.0.m.1"));
    assertEquals(Optional.empty(), outer.resolve("o.0.m.2"));
    assertEquals(new NirNode.Input(List.of(2)), outer.node(List.of("o.0", "m.1", "n0")));
  }

  @Test
  void twoNestedReadingsOfOneNameAreAmbiguous() {
    // "a.b.c" could be [a, b.c] or [a.b, c]
    Map<String, NirNode> innerA = new LinkedHashMap<>();
    innerA.put("b.c", new NirNode.Input(List.of(1)));
    Map<String, NirNode> innerAb = new LinkedHashMap<>();
    innerAb.put("c", new NirNode.Input(List.of(1)));
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put("a", new NirNode.Graph(NirGraph.of("t", innerA, List.of())));
    nodes.put("a.b", new NirNode.Graph(NirGraph.of("t", innerAb, List.of())));
    NirGraph.Resolution r = NirGraph.resolve(nodes, "a.b.c");
    assertEquals(null, r.path());
    assertTrue(r.problem().contains("ambiguous"), r.problem());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> NirGraph.of("t", nodes, List.of(List.of("a.b.c", "a"))));
    assertTrue(e.getMessage().contains("ambiguous"));
  }

  @Test
  void broadcastNeuronsTakeTheSizeOfAConvolutionsOutput() {
    // 2x8x8 input, 3x3 kernel, stride 2, padding 1: floor((8 + 2 - 2 - 1) / 2) + 1 = 4 per axis
    NirNode.Conv2d conv = new NirNode.Conv2d(zeros(4, 2, 3, 3), zeros(4), List.of(2, 2),
        new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, List.of(1, 1)), List.of(1, 1), 1,
        Optional.empty());
    NirGraph g = chain(new NirNode.Input(List.of(2, 8, 8)), conv, broadcastLif());
    assertEquals(4 * 4 * 4, g.neuronCount("n2"));
  }

  @Test
  void sameConvolutionKeepsTheInputSize() {
    NirNode.Conv1d conv = new NirNode.Conv1d(zeros(3, 1, 5), zeros(3), 1,
        new NirNode.Padding(NirNode.PaddingMode.SAME, List.of()), 1, 1, Optional.of(11));
    NirGraph g = chain(new NirNode.Input(List.of(1, 11)), conv, broadcastLif());
    assertEquals(3 * 11, g.neuronCount("n2"));
  }

  @Test
  void broadcastNeuronsAfterPoolingTakeThePooledSize() {
    // 4x9x9 summed over 3x3 windows with stride 3 gives 4x3x3
    NirGraph g = chain(new NirNode.Input(List.of(4, 9, 9)),
        new NirNode.SumPool2d(List.of(3, 3), List.of(3, 3), List.of(0, 0)),
        new NirNode.Scale(NirTensor.scalar(2)), broadcastLif());
    assertEquals(36, g.neuronCount("n3"));
  }

  @Test
  void broadcastNeuronsWithoutPredecessorTakeTheSuccessorsInputSize() {
    NirGraph g = chain(broadcastLif(), new NirNode.Linear(zeros(2, 7)));
    assertEquals(7, g.neuronCount("n0"));
  }

  @Test
  void neuronsInALoopOfBroadcastNodesCannotBeSized() {
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put("a", broadcastLif());
    nodes.put("b", broadcastLif());
    NirGraph g = NirGraph.of("t", nodes, List.of(List.of("a", "b"), List.of("b", "a")));
    QuenchException e = assertThrows(QuenchException.class, () -> g.neuronCount("a"));
    assertTrue(e.getMessage().contains("cannot tell how many neurons node 'a' has"));
  }

  @Test
  void neuronCountOfANonNeuronNodeIsAProgrammingError() {
    NirGraph g = chain(new NirNode.Input(List.of(3)));
    assertThrows(IllegalArgumentException.class, () -> g.neuronCount("n0"));
  }

  @Test
  void broadcastNeuronsFedByANestedGraphTakeItsOutputSize() {
    NirGraph inner = chain(new NirNode.Input(List.of(5)), new NirNode.Linear(zeros(6, 5)),
        new NirNode.Output(List.of(6)));
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    nodes.put("sub", new NirNode.Graph(inner));
    nodes.put("lif", broadcastLif());
    NirGraph viaOutput = NirGraph.of("t", nodes, List.of(List.of("sub.n2", "lif")));
    assertEquals(6, viaOutput.neuronCount("lif"));
    NirGraph viaGraphNode = NirGraph.of("t", nodes, List.of(List.of("sub", "lif")));
    assertEquals(6, viaGraphNode.neuronCount("lif"));
  }

  @Test
  void flattenOutputMergesTheSelectedDimensions() {
    assertEquals(List.of(2, 12, 5), new NirNode.Flatten(List.of(2, 3, 4, 5), 1, 2).outputShape());
    assertEquals(List.of(120), new NirNode.Flatten(List.of(2, 3, 4, 5), 0, -1).outputShape());
    assertEquals(List.of(2, 3, 20), new NirNode.Flatten(List.of(2, 3, 4, 5), -2, -1).outputShape());
  }
}
