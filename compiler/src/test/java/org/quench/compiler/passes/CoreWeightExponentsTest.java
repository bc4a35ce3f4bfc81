package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.InputPort;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.WeightBits;
import org.quench.compiler.quant.WeightQuantizer;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;

/** A weight exponent per (projection, core), and co-location by folded gain for a weight target. */
class CoreWeightExponentsTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);
  private static final int N = 1024;
  private static final int WIDTH = 256;

  /**
   * N CubaLIF neurons whose tau_syn spreads log-uniformly over 2 to 128 ms (folded gains about
   * dt/tau_syn, 64-fold apart) in shuffled index order; tau_mem 20 ms, threshold 1; every neuron
   * receives all WIDTH input channels with gaussian weights (sd 0.2). Dense enough to need several
   * cores.
   */
  private static Network network(long seed) {
    return network(N, WIDTH, 0.002, 64, seed);
  }

  /**
   * n neurons whose tau_syn spreads log-uniformly from tauLo over a factor span, in shuffled order,
   * each receiving all width input channels of port {@code in} (projection {@code in->p}).
   */
  static Network network(int n, int width, double tauLo, double span, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] tauSyn = new double[n];
    for (int i = 0; i < n; i++) {
      tauSyn[i] = tauLo * Math.pow(span, i / (double) (n - 1));
    }
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      double t = tauSyn[i];
      tauSyn[i] = tauSyn[j];
      tauSyn[j] = t;
    }
    double[] tauMem = new double[n];
    double[] th = new double[n];
    Arrays.fill(tauMem, 0.02);
    Arrays.fill(th, 1.0);
    FloatNeurons f = FloatNeurons.builder(n).tauMem(tauMem).tauSyn(tauSyn).threshold(th).build("p");
    Projection.Builder b = Projection.builder("in->p", Projection.Source.inputPort("in"), width, "p", n);
    java.util.Random g = new java.util.Random(seed);
    for (int t = 0; t < n; t++) {
      for (int s = 0; s < width; s++) {
        b.floatSynapse(s, t, 0.2 * g.nextGaussian(), 0);
      }
    }
    return Network.builder("gains").input(new InputPort("in", width)).population(Population.of("p", f))
        .projection(b.build()).output("p").build();
  }

  private static Compiler.Result compile(Network net, CompileOptions o) {
    return Compiler.forNir(DT).compile(net, LOIHI, o);
  }

  /** Per target neuron and source channel: the weight the image's core realises, in chip units. */
  private static Map<Long, Double> realised(ChipImage image) {
    Map<Long, Double> out = new HashMap<>();
    org.quench.hal.proto.InputPort port = image.getInputs(0);
    for (Core core : image.getCoresList()) {
      for (AxonGroup group : core.getAxonGroupsList()) {
        int[] raw = group.getWeightList().stream().mapToInt(Integer::intValue).toArray();
        int[] held = WeightBits.prepare(raw, group.getSignMode(), group.getNumWeightBits(), LOIHI);
        for (int a = 0; a < group.getAxonCount(); a++) {
          int channel = channelOf(port, core, group.getAxonFirst() + a);
          for (int k = group.getRowPtr(a); k < group.getRowPtr(a + 1); k++) {
            int neuron = neuronOf(image, core, group.getTarget(k));
            out.put(((long) neuron << 32) | channel, Math.scalb((double) held[k], group.getWeightExp()));
          }
        }
      }
    }
    return out;
  }

  private static int channelOf(org.quench.hal.proto.InputPort port, Core core, int axon) {
    for (org.quench.hal.proto.AxonRange r : port.getTargetsList()) {
      if (r.getCore().equals(core.getAddress()) && axon >= r.getAxonFirst() && axon < r.getAxonFirst() + r.getCount()) {
        return r.getPortOffset() + axon - r.getAxonFirst();
      }
    }
    throw new AssertionError("axon " + axon + " is fed by no input range");
  }

  private static int neuronOf(ChipImage image, Core core, int local) {
    for (org.quench.hal.proto.NeuronRange r : image.getSymbols(0).getRangesList()) {
      if (r.getCore().equals(core.getAddress()) && local >= r.getNeuronFirst() && local < r.getNeuronFirst() + r.getCount()) {
        return r.getOffset() + local - r.getNeuronFirst();
      }
    }
    throw new AssertionError("local neuron " + local + " is in no symbol range");
  }

  /**
   * {RMS relative error of the image's weights, of the projection's one exponent at the same scale}, both against the float weights with their folded gains at the compile's
   * scale (the projection's requested weights).
   */
  static double[] errors(Compiler.Result r) {
    Projection p = r.network().projections().get(0);
    double[] req = p.requestedWeights();
    Map<Long, Double> got = realised(r.image());
    assertEquals(req.length, got.size());
    double sse = 0;
    double norm = 0;
    for (int s = 0; s < p.sourceSize(); s++) {
      for (int k = p.rowStart(s); k < p.rowStart(s + 1); k++) {
        double d = got.get(((long) p.target(k) << 32) | s) - req[k];
        sse += d * d;
        norm += req[k] * req[k];
      }
    }
    double one = WeightQuantizer.quantize(req, 1.0, org.quench.hal.proto.SignMode.valueOf(
        p.format().signMode().name()), p.format().weightExp(), LOIHI).rmsRelError();
    return new double[] {Math.sqrt(sse / norm), one};
  }

  private static TreeSet<Integer> exponents(ChipImage image) {
    TreeSet<Integer> e = new TreeSet<>();
    for (Core c : image.getCoresList()) {
      for (AxonGroup g : c.getAxonGroupsList()) {
        e.add(g.getWeightExp());
      }
    }
    return e;
  }

  @Test
  void eachCoreGetsTheExponentItsWeightsNeedAndAWeightTargetGroupsSimilarGains() {
    Network net = network(11);
    Compiler.Result plain = compile(net, CompileOptions.none());
    Compiler.Result grouped = compile(net, CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, "0.2"));
    double[] ePlain = errors(plain);
    double[] eGrouped = errors(grouped);
    int cores = grouped.image().getCoresCount();
    assertTrue(cores >= 3, "several cores: " + cores);
    // Without a target the cores hold shuffled gains: exponents per core cannot help much.
    assertTrue(ePlain[0] <= ePlain[1] * (1 + 1e-9), Arrays.toString(ePlain));
    // With it, each core holds a narrow band of gains and takes its own exponent.
    TreeSet<Integer> exps = exponents(grouped.image());
    assertTrue(exps.size() >= 2, "exponents " + exps);
    assertTrue(eGrouped[0] < 0.8 * eGrouped[1], "per-core " + eGrouped[0] + " vs one exponent " + eGrouped[1]);
    assertTrue(eGrouped[0] < 0.8 * ePlain[0], "grouped " + eGrouped[0] + " vs shuffled " + ePlain[0]);
    // The report says the same, and splits what is left.
    CompileReport.ProjectionQuality q = grouped.report().projections().get(0);
    assertEquals(eGrouped[0], q.rmsRelError(), 1e-9);
    assertEquals(eGrouped[1], q.oneExponentRmsRelError(), 1e-9);
    assertEquals(exps.first(), q.weightExpMin());
    assertEquals(exps.last(), q.weightExpMax());
    CompileReport.WeightErrorCauses c = q.causes();
    assertEquals(q.rmsRelError() * q.rmsRelError(), c.mantissa() * c.mantissa()
        + c.sharedExponent() * c.sharedExponent() + c.clipping() * c.clipping(), 1e-9);
    assertTrue(grouped.report().summary().contains("per core (one exponent: "), grouped.report().summary());
    assertTrue(grouped.report().toJson().contains("\"oneExponentRmsRelError\""));
    System.out.printf("weights RMS: shuffled %.4f (one exponent %.4f), grouped %.4f (one exponent %.4f) on %d cores, exponents %s%n",
        ePlain[0], ePlain[1], eGrouped[0], eGrouped[1], cores, exps);
    grouped.report().summary().lines().filter(l -> l.contains("'in->p'")).forEach(System.out::println);
  }

  @Test
  void aTargetBelowWhatAnExponentPerNeuronReachesFailsWithItsCauses() {
    QuenchException e = assertThrows(QuenchException.class,
        () -> compile(network(12), CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, "0.0001")));
    String m = e.getMessage();
    assertTrue(m.contains("--max-weight-error 1.0E-4") && m.contains("cannot be met with more cores")
        && m.contains("'in->p'") && m.contains("shared exponent") && m.contains("folded per-neuron gain"), m);
  }
}
