package org.quench.compiler.frontend.nir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.Provenance;
import org.quench.compiler.ir.ResetMode;
import org.quench.hal.QuenchException;

class NirLoweringTest {
  private static final double INF = Double.POSITIVE_INFINITY;

  private static NirTensor s(double v) {
    return NirTensor.scalar(v);
  }

  private static NirTensor t(double[] v, int... shape) {
    return NirTensor.of(v, shape);
  }

  private static NirNode.LIF lif(double th) {
    return new NirNode.LIF(s(0.01), s(1), s(0), s(th), s(0));
  }

  private static Network lower(Map<String, NirNode> nodes, List<List<String>> edges) {
    return lower(nodes, edges, NirImportOptions.defaults());
  }

  private static Network lower(Map<String, NirNode> nodes, List<List<String>> edges,
      NirImportOptions o) {
    return NirLowering.lower(NirGraph.of("test", nodes, edges), "net", Provenance.none(), o);
  }

  private static Map<String, NirNode> nodes(Object... pairs) {
    Map<String, NirNode> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put((String) pairs[i], (NirNode) pairs[i + 1]);
    }
    return m;
  }

  private static List<String> e(String a, String b) {
    return List.of(a, b);
  }

  /** Dense weight matrix [target][source] (delays ignored) of a float projection. */
  private static double[][] dense(Projection p) {
    double[][] w = new double[p.targetSize()][p.sourceSize()];
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        w[p.target(k)][s] += p.floatWeight(k);
      }
    }
    return w;
  }

  private static FloatNeurons floats(Network n, String pop) {
    return (FloatNeurons) n.population(pop).dynamics();
  }

  @Test
  void affineBecomesAProjectionAndItsBiasTheTargetsInputCurrent() {
    Network n = lower(nodes("in", new NirNode.Input(List.of(2)),
        "fc", new NirNode.Affine(t(new double[] {1, 2, 3, 4, 5, 6}, 3, 2), t(new double[] {0.1, 0.2, 0.3}, 3)),
        "lif", lif(1), "out", new NirNode.Output(List.of(3))),
        List.of(e("in", "fc"), e("fc", "lif"), e("lif", "out")));
    assertEquals(List.of("lif"), n.outputs());
    assertEquals("in", n.inputs().get(0).name());
    Projection p = n.projections().get(0);
    assertEquals("in->lif", p.name());
    assertArrayEquals(new double[] {1, 2}, dense(p)[0]);
    assertArrayEquals(new double[] {5, 6}, dense(p)[2]);
    assertArrayEquals(new double[] {0.1, 0.2, 0.3}, floats(n, "lif").bias());
    assertArrayEquals(new double[] {0, 0, 0}, floats(n, "lif").tauSyn());
  }

  @Test
  void chainsOfLinearNodesComposeIntoOneProjection() {
    // in(2) -> Linear A (2x2) -> Scale (per element) -> Affine B (1x2, bias 1) -> lif
    Network n = lower(nodes("in", new NirNode.Input(List.of(2)),
        "a", new NirNode.Linear(t(new double[] {1, 2, 3, 4}, 2, 2)),
        "sc", new NirNode.Scale(t(new double[] {10, 100}, 2)),
        "b", new NirNode.Affine(t(new double[] {1, -1}, 1, 2), t(new double[] {1}, 1)),
        "lif", lif(1)),
        List.of(e("in", "a"), e("a", "sc"), e("sc", "b"), e("b", "lif")));
    assertEquals(1, n.projections().size());
    // B * diag(10, 100) * A = [10, -100] * [[1,2],[3,4]] = [10 - 300, 20 - 400]
    assertArrayEquals(new double[] {-290, -380}, dense(n.projections().get(0))[0], 1e-9);
    assertEquals(1.0, floats(n, "lif").bias()[0]);
  }

  @Test
  void fanInSumsAndABiasCarriedThroughLaterLinearNodes() {
    Network n = lower(nodes("in", new NirNode.Input(List.of(1)),
        "a", new NirNode.Affine(t(new double[] {2}, 1, 1), t(new double[] {0.5}, 1)),
        "b", new NirNode.Linear(t(new double[] {3}, 1, 1)),
        "sc", new NirNode.Scale(s(2)),
        "lif", lif(1)),
        List.of(e("in", "a"), e("in", "b"), e("a", "sc"), e("b", "sc"), e("sc", "lif")));
    assertEquals(1, n.projections().size());
    assertEquals(2 * (2 + 3), dense(n.projections().get(0))[0][0], 1e-12);
    assertEquals(1.0, floats(n, "lif").bias()[0], 1e-12);
  }

  @Test
  void cubaNeuronsFoldWInIntoTheirWeightsAndReadoutsNeverSpike() {
    Network n = lower(nodes("in", new NirNode.Input(List.of(1)),
        "fc", new NirNode.Affine(t(new double[] {3}, 1, 1), t(new double[] {1}, 1)),
        "cuba", new NirNode.CubaLIF(s(0.002), s(0.01), s(5), s(0.1), s(1), s(0), s(2)),
        "fc2", new NirNode.Linear(t(new double[] {4}, 1, 1)),
        "ro", new NirNode.CubaLI(s(0.003), s(0.02), s(1), s(0), s(0.5)),
        "out", new NirNode.Output(List.of(1))),
        List.of(e("in", "fc"), e("fc", "cuba"), e("cuba", "fc2"), e("fc2", "ro"), e("ro", "out")));
    assertEquals(6, dense(n.projections().get(0))[0][0], 1e-12);
    assertEquals(2, floats(n, "cuba").bias()[0], 1e-12);
    assertEquals(0.002, floats(n, "cuba").tauSyn()[0]);
    assertEquals(5, floats(n, "cuba").r()[0]);
    assertEquals(0.1, floats(n, "cuba").vLeak()[0]);
    assertEquals(2, dense(n.projections().get(1))[0][0], 1e-12);
    assertEquals(INF, floats(n, "ro").threshold()[0]);
    assertEquals(List.of("ro"), n.outputs());
  }

  @Test
  void integratorsLeakyReadoutsAndThresholdsMapToTheirSpecialTimeConstants() {
    Network n = lower(nodes("in", new NirNode.Input(List.of(1)),
        "if", new NirNode.IF(s(2), s(1.5), s(0)),
        "th", new NirNode.Threshold(s(0.5)),
        "i", new NirNode.I(s(3)),
        "li", new NirNode.LI(s(0.05), s(1), s(0.2))),
        List.of(e("in", "if"), e("if", "th"), e("th", "i"), e("th", "li")));
    assertEquals(INF, floats(n, "if").tauMem()[0]);
    assertEquals(1.5, floats(n, "if").threshold()[0]);
    assertEquals(2, floats(n, "if").r()[0]);
    assertEquals(0, floats(n, "th").tauMem()[0]);
    assertEquals(0.5, floats(n, "th").threshold()[0]);
    assertEquals(INF, floats(n, "i").threshold()[0]);
    assertEquals(INF, floats(n, "i").tauMem()[0]);
    assertEquals(0.05, floats(n, "li").tauMem()[0]);
    assertEquals(0.2, floats(n, "li").vLeak()[0]);
    assertEquals(INF, floats(n, "li").threshold()[0]);
  }

  @Test
  void delaysBecomeSynapticDelaysInStepsAndRecurrenceGetsTheOptionsExtraDelay() {
    NirImportOptions o = NirImportOptions.defaults().withDt(1e-3).withRecurrenceDelay(2)
        .withReset(NirImportOptions.Reset.SUBTRACT);
    Network n = lower(nodes("in", new NirNode.Input(List.of(2)),
        "d", new NirNode.Delay(t(new double[] {0.003, 0.005}, 2)),
        "lif", lif(1),
        "rec", new NirNode.Linear(t(new double[] {0, 1, 1, 0}, 2, 2))),
        List.of(e("in", "d"), e("d", "lif"), e("lif", "rec"), e("rec", "lif")), o);
    Projection in = n.projections().get(0);
    assertEquals(3, in.delay(in.rowStart(0)));
    assertEquals(5, in.delay(in.rowStart(1)));
    Projection rec = n.projections().get(1);
    assertEquals("lif->lif", rec.name());
    assertEquals(2, rec.delay(0));
    assertEquals(ResetMode.BY_SUBTRACTION, floats(n, "lif").resetMode()[0]);
  }

  @Test
  void nestedGraphsAreFlattenedWithDottedNames() {
    NirGraph inner = NirGraph.of("test", nodes("input", new NirNode.Input(List.of(2)),
        "fc", new NirNode.Linear(t(new double[] {1, 1}, 1, 2)), "lif", lif(1),
        "output", new NirNode.Output(List.of(1))),
        List.of(e("input", "fc"), e("fc", "lif"), e("lif", "output")));
    Network n = lower(nodes("in", new NirNode.Input(List.of(2)), "sub", new NirNode.Graph(inner),
        "out", new NirNode.Output(List.of(1))), List.of(e("in", "sub"), e("sub", "out")));
    assertEquals("sub.lif", n.populations().get(0).name());
    assertEquals(List.of("sub.lif"), n.outputs());
    assertEquals("in->sub.lif", n.projections().get(0).name());
  }

  @Test
  void flattenKeepsRowMajorOrderAndPoolingSumsOrAveragesWindows() {
    // in (1, 4, 4) -> SumPool 2x2 stride 2 -> IF(1,2,2) -> AvgPool 2x2 -> Flatten -> lif
    Network n = lower(nodes("in", new NirNode.Input(List.of(1, 4, 4)),
        "sp", new NirNode.SumPool2d(List.of(2, 2), List.of(2, 2), List.of(0, 0)),
        "if", new NirNode.IF(s(1), s(1), s(0)),
        "ap", new NirNode.AvgPool2d(List.of(2, 2), List.of(2, 2), List.of(0, 0)),
        "fl", new NirNode.Flatten(List.of(1, 1, 1), 0, -1),
        "lif", lif(1)),
        List.of(e("in", "sp"), e("sp", "if"), e("if", "ap"), e("ap", "fl"), e("fl", "lif")));
    assertArrayEquals(new int[] {1, 2, 2}, n.population("if").shape());
    double[][] w = dense(n.projections().get(0));
    // output (0, 1, 0) = index 2 sums inputs rows 2-3, cols 0-1: indices 8, 9, 12, 13
    for (int i = 0; i < 16; i++) {
      boolean in = i == 8 || i == 9 || i == 12 || i == 13;
      assertEquals(in ? 1.0 : 0.0, w[2][i], "input " + i);
    }
    assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, dense(n.projections().get(1))[0]);
  }

  /** Direct cross-correlation, written as a scatter from inputs (independent of the lowering). */
  private static double[] conv2d(double[] x, int cin, int h, int w, double[] k, int cout, int kh,
      int kw, int stride, int pad, int dil, int groups, int ho, int wo) {
    double[] y = new double[cout * ho * wo];
    int cinG = cin / groups;
    int coutG = cout / groups;
    for (int ci = 0; ci < cin; ci++) {
      for (int iy = 0; iy < h; iy++) {
        for (int ix = 0; ix < w; ix++) {
          double v = x[(ci * h + iy) * w + ix];
          int g = ci / cinG;
          for (int co = g * coutG; co < (g + 1) * coutG; co++) {
            for (int ky = 0; ky < kh; ky++) {
              for (int kx = 0; kx < kw; kx++) {
                int ny = iy + pad - ky * dil;
                int nx = ix + pad - kx * dil;
                if (ny % stride != 0 || nx % stride != 0) {
                  continue;
                }
                int oy = ny / stride;
                int ox = nx / stride;
                if (ny >= 0 && nx >= 0 && oy < ho && ox < wo) {
                  y[(co * ho + oy) * wo + ox] += v * k[((co * cinG + (ci - g * cinG)) * kh + ky) * kw + kx];
                }
              }
            }
          }
        }
      }
    }
    return y;
  }

  @Test
  void conv2dIsPyTorchCrossCorrelationWithStridePaddingDilationAndGroups() {
    Random rng = new Random(5);
    int cin = 4;
    int cout = 6;
    int groups = 2;
    int h = 7;
    int w = 6;
    int kh = 3;
    int kw = 3;
    double[] k = new double[cout * (cin / groups) * kh * kw];
    for (int i = 0; i < k.length; i++) {
      k[i] = rng.nextGaussian();
    }
    NirNode.Conv2d conv = new NirNode.Conv2d(t(k, cout, cin / groups, kh, kw),
        t(new double[cout], cout), List.of(2, 2),
        new NirNode.Padding(NirNode.PaddingMode.EXPLICIT, List.of(1, 1)), List.of(2, 2), groups,
        Optional.of(List.of(h, w)));
    Network n = lower(nodes("in", new NirNode.Input(List.of(cin, h, w)), "c", conv, "if",
        new NirNode.IF(s(1), s(1), s(0))), List.of(e("in", "c"), e("c", "if")));
    int ho = (h + 2 - 2 * 2 - 1) / 2 + 1;
    int wo = (w + 2 - 2 * 2 - 1) / 2 + 1;
    assertArrayEquals(new int[] {cout, ho, wo}, n.population("if").shape());
    double[] x = new double[cin * h * w];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextGaussian();
    }
    double[] want = conv2d(x, cin, h, w, k, cout, kh, kw, 2, 1, 2, groups, ho, wo);
    double[][] m = dense(n.projections().get(0));
    for (int o = 0; o < want.length; o++) {
      double got = 0;
      for (int i = 0; i < x.length; i++) {
        got += m[o][i] * x[i];
      }
      assertEquals(want[o], got, 1e-9, "output " + o);
    }
  }

  @Test
  void sameConvolutionPadsTheSmallerHalfFirstAndConv1dWorks() {
    // kernel 4 "same": total pad 3, 1 before, 2 after; input length 5, one channel.
    NirNode.Conv1d conv = new NirNode.Conv1d(t(new double[] {1, 2, 3, 4}, 1, 1, 4), s(0), 1,
        new NirNode.Padding(NirNode.PaddingMode.SAME, List.of()), 1, 1, Optional.of(5));
    Network n = lower(nodes("in", new NirNode.Input(List.of(1, 5)), "c", conv, "lif", lif(1)),
        List.of(e("in", "c"), e("c", "lif")));
    double[][] m = dense(n.projections().get(0));
    // y[0] = x[-1]*1 + x[0]*2 + x[1]*3 + x[2]*4
    assertArrayEquals(new double[] {2, 3, 4, 0, 0}, m[0]);
    // y[4] = x[3]*1 + x[4]*2 (x[5], x[6] are padding)
    assertArrayEquals(new double[] {0, 0, 0, 1, 2}, m[4]);
  }

  @Test
  void undeployableGraphsFailNamingTheNodeAndWhatToDo() {
    String li = assertThrows(QuenchException.class, () -> lower(nodes(
        "in", new NirNode.Input(List.of(1)), "li", new NirNode.LI(s(0.01), s(1), s(0)),
        "lif", lif(1)), List.of(e("in", "li"), e("li", "lif")))).getMessage();
    assertTrue(li.contains("'li'") && li.contains("never spikes") && li.contains("LIF"), li);
    String out = assertThrows(QuenchException.class, () -> lower(nodes(
        "in", new NirNode.Input(List.of(1)), "lif", lif(1),
        "fc", new NirNode.Linear(t(new double[] {1}, 1, 1)), "out", new NirNode.Output(List.of(1))),
        List.of(e("in", "lif"), e("lif", "fc"), e("fc", "out")))).getMessage();
    assertTrue(out.contains("'out'") && out.contains("'fc'") && out.contains("LI"), out);
    String cycle = assertThrows(QuenchException.class, () -> lower(nodes(
        "in", new NirNode.Input(List.of(1)), "a", new NirNode.Linear(t(new double[] {1}, 1, 1)),
        "b", new NirNode.Linear(t(new double[] {1}, 1, 1)), "lif", lif(1)),
        List.of(e("in", "a"), e("a", "b"), e("b", "a"), e("b", "lif")))).getMessage();
    assertTrue(cycle.contains("cycle") && cycle.contains("neuron"), cycle);
    NirNode.Conv2d strided = new NirNode.Conv2d(t(new double[] {1}, 1, 1, 1, 1), s(0),
        List.of(2, 2), new NirNode.Padding(NirNode.PaddingMode.SAME, List.of()), List.of(1, 1), 1,
        Optional.of(List.of(4, 4)));
    String same = assertThrows(QuenchException.class, () -> lower(nodes(
        "in", new NirNode.Input(List.of(1, 4, 4)), "c", strided, "lif", lif(1)),
        List.of(e("in", "c"), e("c", "lif")))).getMessage();
    assertTrue(same.contains("'c'") && same.contains("same") && same.contains("explicit padding"), same);
  }

  /** The zoo's nodes {@code keep} plus {@code extra} new ones, wired by {@code edges}, lowered. */
  private static Network zooPiece(NirGraph zoo, Map<String, NirNode> extra, List<String> keep,
      List<List<String>> edges) {
    Map<String, NirNode> nodes = new LinkedHashMap<>();
    for (String k : keep) {
      nodes.put(k, zoo.nodes().get(k));
    }
    nodes.putAll(extra);
    return NirLowering.lower(NirGraph.of("zoo piece", nodes, edges), "zoo", Provenance.none(),
        NirImportOptions.defaults());
  }

  private static Map<String, Integer> synapsesPerProjection(Network n) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (Projection p : n.projections()) {
      m.put(p.source().name() + "->" + p.target(), p.synapseCount());
    }
    return m;
  }

  @Test
  void theZooFixturesLowerEveryDeployableNode() {
    // The zoo (make_fixtures.py) wires all 19 node types in one chain, and the chain cannot run on
    // a chip as wired: a non-spiking neuron feeds another node. The whole file is refused naming
    // the first such node (zoo_old lists nodes by name, zoo_new in creation order).
    Map<String, String> refusal = Map.of(
        "zoo_old.nir", "NIR node 'i' (I) has no threshold, so on the chip it never spikes, but it feeds"
            + " 'cubali': the chip sends only spikes between neurons. Use a spiking node (LIF, CubaLIF,"
            + " IF) there, or read 'i' as an output",
        "zoo_new.nir", "NIR node 'li' (LI) has no threshold, so on the chip it never spikes, but it"
            + " feeds 'threshold': the chip sends only spikes between neurons. Use a spiking node (LIF,"
            + " CubaLIF, IF) there, or read 'li' as an output");
    for (String f : List.of("zoo_old.nir", "zoo_new.nir")) {
      NirGraph zoo = NirFixtures.read(f);
      QuenchException whole = assertThrows(QuenchException.class, () -> NirLowering.lower(zoo, "zoo",
          Provenance.none(), NirImportOptions.defaults()), f);
      assertEquals(refusal.get(f), whole.getMessage(), f);

      // Cut where the chain is not deployable; every deployable node then lowers.
      // 1. input -> conv2d -> IF -> sumpool -> avgpool -> flatten -> affine -> LIF (+ recurrent
      //    lif.w_rec) -> linear -> CubaLIF -> scale -> LI, read as an output.
      Network chain = zooPiece(zoo, Map.of("out_li", new NirNode.Output(List.of(5))),
          List.of("input", "conv2d", "if", "sumpool", "avgpool", "flatten", "affine", "lif",
              "lif.w_rec", "linear", "cubalif", "scale", "li"),
          List.of(e("input", "conv2d"), e("conv2d", "if"), e("if", "sumpool"), e("sumpool", "avgpool"),
              e("avgpool", "flatten"), e("flatten", "affine"), e("affine", "lif"), e("lif", "lif.w_rec"),
              e("lif.w_rec", "lif"), e("lif", "linear"), e("linear", "cubalif"), e("cubalif", "scale"),
              e("scale", "li"), e("li", "out_li")));
      assertEquals(List.of("if", "lif", "cubalif", "li"),
          chain.populations().stream().map(p -> p.name()).toList(), f);
      assertEquals(List.of(256, 6, 5, 5), chain.populations().stream().map(p -> p.size()).toList(), f);
      assertEquals(2 * 8 * 8, chain.inputs().get(0).width(), f);
      assertEquals(List.of("li"), chain.outputs(), f);
      // Synapse counts worked by hand from the fixture's ramps (a zero weight makes no synapse):
      //  conv2d 'same' 3x3 on 8x8: 22 x 22 taps land per (out, in) channel pair, 4 x 2 pairs = 3872;
      //    weight -0.5 + 0.01k is 0 at k = 50 = (out 2, in 1, ky 1, kx 2): 8 rows x 7 columns = 56
      //    taps fewer: 3816.
      //  pools + flatten + affine (6 x 16): each of the 16 features covers a 4 x 4 block of 'if',
      //    6 x 16 x 16 = 1536; weight -0.4 + 0.01k is 0 at k = 40 (row 2, feature 8): 16 fewer.
      //  lif.w_rec 6 x 6, 0.02k: only k = 0 is 0. linear 5 x 6, 0.3 - 0.02k: 0 at k = 15.
      //  scale: one synapse per neuron.
      assertEquals(Map.of("input->if", 3816, "if->lif", 1520, "lif->lif", 35, "lif->cubalif", 29,
          "cubalif->li", 5), synapsesPerProjection(chain), f);
      // The linear map keeps the file's weights up to one factor for the whole projection.
      double[][] w = dense(chain.projections().stream()
          .filter(p -> p.source().name().equals("lif") && p.target().equals("cubalif")).findFirst()
          .orElseThrow());
      for (int t = 0; t < 5; t++) {
        for (int src = 0; src < 6; src++) {
          assertEquals((0.3 - 0.02 * (6 * t + src)) / 0.3, w[t][src] / w[0][0], 1e-5, f + " linear");
        }
      }
      // ... and the scale node's factors 1..5 reach the LI neurons one to one.
      double[][] scaled = dense(chain.projections().get(chain.projections().size() - 1));
      for (int t = 0; t < 5; t++) {
        assertEquals(t + 1.0, scaled[t][t] / scaled[0][0], 1e-9, f + " scale");
      }

      // 2. threshold -> delay -> I, read as an output, fed by a new input.
      Network thresholdChain = zooPiece(zoo, Map.of("in5", new NirNode.Input(List.of(5)),
          "out_i", new NirNode.Output(List.of(5))), List.of("threshold", "delay", "i"),
          List.of(e("in5", "threshold"), e("threshold", "delay"), e("delay", "i"), e("i", "out_i")));
      assertEquals(Map.of("in5->threshold", 5, "threshold->i", 5), synapsesPerProjection(thresholdChain), f);
      assertEquals(List.of("i"), thresholdChain.outputs(), f);
      // 3. CubaLI on its own input, and the nested graph (its CubaLIF with recurrent identity).
      Network cubali = zooPiece(zoo, Map.of("in5", new NirNode.Input(List.of(5)),
          "out_c", new NirNode.Output(List.of(5))), List.of("cubali"),
          List.of(e("in5", "cubali"), e("cubali", "out_c")));
      assertEquals(Map.of("in5->cubali", 5), synapsesPerProjection(cubali), f);
      Network sub = zooPiece(zoo, Map.of("in5", new NirNode.Input(List.of(5))), List.of("sub", "output"),
          List.of(e("in5", "sub"), e("sub", "output")));
      assertEquals(Map.of("in5->sub.neurons", 5, "sub.neurons->sub.neurons", 5), synapsesPerProjection(sub), f);
      assertEquals(List.of("sub.neurons"), sub.outputs(), f);
      // 4. The conv1d branch has no neuron at all: nothing of it can go on a chip.
      QuenchException conv1d = assertThrows(QuenchException.class, () -> zooPiece(zoo, Map.of(),
          List.of("input1d", "conv1d", "output1d"), List.of(e("input1d", "conv1d"), e("conv1d", "output1d"))));
      assertEquals("the NIR graph has no neuron node (I, IF, LI, LIF, CubaLI, CubaLIF, Threshold); there"
          + " is nothing to put on a chip", conv1d.getMessage(), f);
    }
  }
}
