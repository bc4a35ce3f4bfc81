package org.quench.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.HdfFile;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.compiler.ir.ConnectionKind;
import org.quench.compiler.ir.FixedNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.ir.SignMode;
import org.quench.hal.QuenchException;

class NetxReaderTest {
  static byte[] resource(String path) {
    try (InputStream in = NetxReaderTest.class.getResourceAsStream("/" + path)) {
      if (in == null) {
        throw new IllegalStateException("missing test resource " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static Network golden(NetxReader.Options options) {
    return NetxReader.read(resource("golden/netx-random-1001/random.net"), "random.net", options);
  }

  private static Network fixture(String name) {
    return NetxReader.read(resource("netx/" + name), name, NetxReader.Options.defaults());
  }

  private static Projection projection(Network n, String name) {
    return n.projections().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
  }

  private static String error(String name) {
    return assertThrows(QuenchException.class, () -> fixture(name)).getMessage();
  }

  /** The raw dataset, read with jhdf directly (independent of the reader's code paths). */
  private static Object raw(String file, String path) {
    try (HdfFile f = HdfFile.fromBytes(resource(file))) {
      return f.getDatasetByPath(path).getData();
    }
  }

  @Test
  void goldenNetworkHasOnePopulationPerLayerAndTheLastIsTheOutput() {
    Network n = golden(NetxReader.Options.defaults());
    assertEquals(List.of("layer0", "layer1", "layer2", "layer3"),
        n.populations().stream().map(Population::name).toList());
    assertEquals(List.of(24, 40, 32, 10), n.populations().stream().map(Population::size).toList());
    assertEquals(List.of("layer3"), n.outputs());
    assertEquals(List.of("layer0.input", "layer1.weight", "layer2.weight", "layer2.weight_rec",
        "layer3.weight"), n.projections().stream().map(Projection::name).toList());
    Projection rec = n.projections().get(3);
    assertEquals("layer2", rec.source().name());
    assertEquals("layer2", rec.target());
  }

  @Test
  void goldenNeuronsMapLoihiParameters() {
    Network n = golden(NetxReader.Options.defaults());
    for (int layer = 0; layer < 4; layer++) {
      String g = "layer/" + layer + "/neuron/";
      long iDecay = (Long) raw("golden/netx-random-1001/random.net", g + "iDecay");
      long vDecay = (Long) raw("golden/netx-random-1001/random.net", g + "vDecay");
      long vth = (Long) raw("golden/netx-random-1001/random.net", g + "vThMant");
      FixedNeurons f = n.populations().get(layer).fixed();
      for (int i = 0; i < f.size(); i++) {
        assertEquals(iDecay - 1, f.du(i));
        assertEquals(vDecay, f.dv(i));
        assertEquals(vth, f.vth(i));
        assertEquals(6, f.biasExp(i));
        assertEquals(0, f.refractory(i));
        assertEquals(0, f.resetInterval(i));
      }
    }
    float[] bias = (float[]) raw("golden/netx-random-1001/random.net", "layer/1/bias");
    FixedNeurons l1 = n.population("layer1").fixed();
    for (int i = 0; i < bias.length; i++) {
      assertEquals((int) bias[i], l1.biasMant(i), "bias of neuron " + i);
    }
  }

  @Test
  void goldenDenseWeightsAreTruncatedShiftedAndKeepTheirDelays() {
    Network n = golden(NetxReader.Options.defaults());
    float[][] w = (float[][]) raw("golden/netx-random-1001/random.net", "layer/1/weight");
    float[][] d = (float[][]) raw("golden/netx-random-1001/random.net", "layer/1/delay");
    Projection p = n.projections().get(1);
    int scaleBits = -p.format().weightExp();
    int nonZero = 0;
    for (float[] row : w) {
      for (float v : row) {
        nonZero += (long) v != 0 ? 1 : 0;
      }
    }
    assertEquals(nonZero, p.synapseCount());
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        int t = p.target(k);
        // truncated toward zero, then scaled by the layer's one exponent
        assertEquals((long) w[t][s] << scaleBits, p.fixedWeight(k), "weight " + s + " -> " + t);
        assertEquals((int) d[t][s], p.delay(k));
      }
    }
  }

  @Test
  void denseWeightsAreOptimisedByLavaDlsRule() {
    // valid.net layer 1: weights arange(12) - 6 as [3, 4], i.e. -6 .. 5. Worked by hand from
    // lava-dl's rule (docs/model-formats.md): both signs, so MIXED; scale min(127/5, 128/6) = 21.3,
    // floor(log2) = 4, + 1 for the sign = 5 scale bits, weight_exp -5; no power of two divides
    // -1 and 1, so n = 0 - 1; num_weight_bits = 8 - 5 + 1 = 4; weights << 5.
    Network n = fixture("valid.net");
    Projection p = projection(n, "layer1.weight");
    assertEquals(SignMode.MIXED, p.format().signMode());
    assertEquals(-5, p.format().weightExp());
    assertEquals(4, p.format().numWeightBits());
    int[][] expected = {{-192, -160, -128, -96}, {-64, -32, 0, 32}, {64, 96, 128, 160}};
    assertEquals(11, p.synapseCount(), "the zero weight is no synapse");
    for (int s = 0; s < 4; s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        assertEquals(expected[p.target(k)][s], p.fixedWeight(k), "weight " + s + " -> " + p.target(k));
      }
    }
  }

  @Test
  void denseRecOptimisesInputAndRecurrentWeightsAsOneMatrix() {
    // rec_delay.net: input weights 4 ([3, 4]) and recurrent weights 8 ([3, 3]), optimised as one
    // matrix. By hand: EXCITATORY; scale 255/8 = 31.9, 4 scale bits (weight_exp -4); 4 divides
    // every weight, n = 2; num_weight_bits = 8 - 4 - 2 = 2. Optimised apart, the input weights
    // alone would get scale 255/4, 5 scale bits: the shared exponent is the point.
    Network n = fixture("rec_delay.net");
    Projection in = projection(n, "layer1.weight");
    Projection rec = projection(n, "layer1.weight_rec");
    for (Projection p : List.of(in, rec)) {
      assertEquals(SignMode.EXCITATORY, p.format().signMode(), p.name());
      assertEquals(-4, p.format().weightExp(), p.name());
      assertEquals(2, p.format().numWeightBits(), p.name());
    }
    assertEquals(12, in.synapseCount());
    assertEquals(9, rec.synapseCount());
    for (int k = 0; k < in.synapseCount(); k++) {
      assertEquals(64, in.fixedWeight(k));
      assertEquals(1, in.delay(k));
    }
    for (int k = 0; k < rec.synapseCount(); k++) {
      assertEquals(128, rec.fixedWeight(k));
    }
  }

  @Test
  void provenanceHoldsTheFileHash() throws Exception {
    Network n = golden(NetxReader.Options.defaults());
    byte[] bytes = resource("golden/netx-random-1001/random.net");
    String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertEquals("random.net", n.provenance().sourceName());
    assertEquals(expected, n.provenance().sha256());
  }

  @Test
  void sampleStepsGiveLayerIResetOffsetIMinusOne() {
    Network n = golden(NetxReader.Options.defaults().withSampleSteps(300));
    for (int layer = 0; layer < 4; layer++) {
      FixedNeurons f = n.populations().get(layer).fixed();
      assertEquals(300, f.resetInterval(0));
      assertEquals(layer - 1, f.resetOffset(0));
    }
  }

  @Test
  void inputPortDrivesTheInputLayerOneToOne() {
    Network n = golden(NetxReader.Options.defaults());
    assertEquals(24, n.inputs().get(0).width());
    Projection p = n.projections().get(0);
    assertTrue(p.source().isInputPort());
    for (int s = 0; s < 24; s++) {
      assertEquals(1, p.rowStart(s + 1) - p.rowStart(s));
      assertEquals(s, p.target(p.rowStart(s)));
      assertEquals(1, p.fixedWeight(p.rowStart(s)));
    }
  }

  @Test
  void convIsLoweredToCrossCorrelationWithTheStoredKernel() {
    Network n = fixture("conv.net");
    Projection conv = n.projections().get(1);
    assertEquals(ConnectionKind.CONV, conv.format().kind());
    long[][][] x = (long[][][]) raw("netx/conv.net", "check/input");
    long[][][] act = (long[][][]) raw("netx/conv.net", "check/activation");
    long[] sum = new long[conv.targetSize()];
    for (int c = 0; c < 2; c++) {
      for (int h = 0; h < 5; h++) {
        for (int w = 0; w < 6; w++) {
          if (x[c][h][w] != 0) {
            int s = (c * 5 + h) * 6 + w;
            for (int k = conv.rowStart(s); k < conv.rowStart(s + 1); k++) {
              sum[conv.target(k)] += conv.fixedWeight(k);
            }
          }
        }
      }
    }
    for (int o = 0; o < 4; o++) {
      for (int h = 0; h < 3; h++) {
        for (int w = 0; w < 4; w++) {
          assertEquals(act[o][h][w], sum[(o * 3 + h) * 4 + w], "output " + o + "," + h + "," + w);
        }
      }
    }
    // Per-channel bias, truncated toward zero, broadcast over H and W.
    FixedNeurons f = n.population("layer1").fixed();
    assertEquals(1, f.biasMant(0));
    assertEquals(-2, f.biasMant(12));
    assertEquals(3, f.biasMant(24 + 11));
    // Flatten: the dense layer reads all 48 conv neurons.
    assertEquals(48, n.projections().get(2).sourceSize());
    assertEquals("layer1", n.projections().get(2).source().name());
  }

  @Test
  void delaysAboveSixtyTwoAreClampedWithAWarning() {
    Network n = fixture("delays_clamped.net");
    Projection p = n.projections().get(1);
    assertEquals(62, p.maxDelay());
    assertEquals(62, p.delay(p.rowStart(0)));
    assertTrue(n.provenance().notes().stream().anyMatch(s -> s.startsWith("WARNING") && s.contains("clamped")),
        n.provenance().notes().toString());
  }

  @Test
  void denseLayerWithoutNeuronGetsNetxDefault() {
    FixedNeurons f = fixture("default_neuron.net").population("layer1").fixed();
    assertEquals(-1, f.du(0));
    assertEquals(4096, f.dv(0));
    assertEquals(131072, f.vth(0));
  }

  @Test
  void validFixtureReads() {
    Network n = fixture("valid.net");
    assertEquals(2, n.populations().size());
    assertEquals(SignMode.MIXED, n.projections().get(1).format().signMode());
  }

  @Test
  void missingLayerGroupIsNamed() {
    String m = error("missing_layer_group.net");
    assertTrue(m.contains("missing_layer_group.net") && m.contains("/layer") && m.contains("group"), m);
  }

  @Test
  void missingWeightNamesLayerAndDataset() {
    String m = error("missing_weight.net");
    assertTrue(m.contains("/layer/1/weight") && m.contains("missing") && m.contains("[out, in]"), m);
  }

  @Test
  void wrongWeightShapeSaysWhatWasExpected() {
    String m = error("wrong_weight_shape.net");
    assertTrue(m.contains("layer 1 (dense)") && m.contains("5 inputs") && m.contains("4 neurons"), m);
  }

  @Test
  void unknownLayerTypeIsRefused() {
    String m = error("unknown_layer.net");
    assertTrue(m.contains("unknown layer type 'lstm'") && m.contains("/layer/2/type"), m);
  }

  @Test
  void poolingIsNotSupportedByNetx() {
    String m = error("pool_layer.net");
    assertTrue(m.contains("not supported by netx/Lava") && m.contains("layer 2 (pool)"), m);
  }

  @Test
  void unknownNeuronTypeIsRefused() {
    String m = error("unknown_neuron.net");
    assertTrue(m.contains("neuron type 'SDNN'") && m.contains("/layer/1/neuron/type"), m);
  }

  @Test
  void missingNeuronParameterIsNamed() {
    String m = error("missing_vth.net");
    assertTrue(m.contains("/layer/1/neuron/vThMant") && m.contains("missing"), m);
  }

  @Test
  void gapInLayerNumbersIsRefused() {
    String m = error("layer_gap.net");
    assertTrue(m.contains("no layer '1'"), m);
  }

  @Test
  void nanWeightIsRefusedWithItsIndex() {
    String m = error("nan_weight.net");
    assertTrue(m.contains("/layer/1/weight[6]") && m.contains("NaN"), m);
  }

  @Test
  void nonHdf5BytesAreRefused() {
    String m = assertThrows(QuenchException.class, () -> NetxReader.read(
        "not a network".getBytes(), "junk.net", NetxReader.Options.defaults())).getMessage();
    assertTrue(m.contains("junk.net") && m.contains("HDF5"), m);
    assertFalse(m.contains("Exception"), m);
  }

  @Test
  void messageBitsMakeTheLayersOutgoingSynapsesGraded() {
    Network n = fixture("graded.net");
    assertEquals(3, n.projections().get(1).numMessageBits());
    assertEquals(0, n.projections().get(0).numMessageBits());
  }

  @Test
  void refDelayAboveOneBecomesARefractoryPeriodWithAWarning() {
    Network n = fixture("refractory.net");
    assertEquals(4, n.population("layer1").fixed().refractory(0));
    assertEquals(0, n.population("layer0").fixed().refractory(0));
    assertTrue(n.provenance().notes().stream().anyMatch(s -> s.startsWith("WARNING") && s.contains("refDelay")));
  }

  @Test
  void withoutAnInputLayerTheHostFeedsTheFirstSynapses() {
    Network n = fixture("no_input.net");
    assertEquals(5, n.inputs().get(0).width());
    Projection first = n.projections().get(0);
    assertTrue(first.source().isInputPort());
    assertEquals("layer0", first.target());
    assertEquals(List.of("layer1"), n.outputs());
  }

  @Test
  void recurrentLayerWithDelaysKeepsWeightExpAndSaysSo() {
    Network n = fixture("rec_delay.net");
    // Joint matrix [4 4 4 4 | 8 8 8]: EXCITATORY, scale 255/8 -> 4 bits; all divisible by 4 -> n 2.
    Projection in = n.projections().get(1);
    Projection rec = n.projections().get(2);
    assertEquals(-4, in.format().weightExp());
    assertEquals(-4, rec.format().weightExp());
    assertEquals(2, in.format().numWeightBits());
    assertEquals(64, in.fixedWeight(0));
    assertEquals(128, rec.fixedWeight(0));
    assertEquals(1, in.delay(0));
    assertEquals(0, rec.maxDelay());
    assertTrue(n.provenance().notes().stream().anyMatch(s -> s.contains("omits weight_exp")));
  }

  @Test
  void layersWhoseOffsetReachesTheIntervalNeverReset() {
    Network n = golden(NetxReader.Options.defaults().withSampleSteps(2));
    assertEquals(2, n.population("layer2").fixed().resetInterval(0));
    assertEquals(1, n.population("layer2").fixed().resetOffset(0));
    assertEquals(0, n.population("layer3").fixed().resetInterval(0));
  }

  @Test
  void inputMessageBitsMakeTheInputPortGraded() {
    Network n = golden(NetxReader.Options.defaults().withInputMessageBits(8));
    assertEquals(8, n.projections().get(0).numMessageBits());
  }
}
