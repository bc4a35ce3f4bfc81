package org.quench.compiler.passes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.quench.compiler.Compiler;
import org.quench.compiler.frontend.nir.NirImportOptions;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Projection;
import org.quench.compiler.quant.FixedPoint;
import org.quench.compiler.quant.OverflowBound;
import org.quench.compiler.quant.WeightBits;
import org.quench.compiler.report.CompileOptions;
import org.quench.compiler.report.CompileReport;
import org.quench.hal.ChipSpec;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.NeuronRange;

/**
 * The report's worst-case u/v headroom is the headroom of the image: recomputed here from what
 * the emitted image holds (each core's axon groups, prepared weights, exponents and delays, its
 * decay and threshold rows, its biases), on a network whose weights the exponents per core round
 * again after partitioning.
 */
class HeadroomOfTheImageTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();
  private static final NirImportOptions DT = NirImportOptions.defaults().withDt(1e-3);

  /** The worst-case bound of population {@code name} from the image alone. */
  static OverflowBound.Bound fromImage(ChipImage image, String name, int size) {
    double[] pos = new double[size];
    double[] neg = new double[size];
    int[] du = new int[size];
    int[] dv = new int[size];
    long[] bias = new long[size];
    long[] vth = new long[size];
    NeuronRangesOf ranges = new NeuronRangesOf(image, name);
    for (Core core : image.getCoresList()) {
      for (int local = 0; local < core.getNeuronCount(); local++) {
        int i = ranges.neuron(core, local);
        if (i < 0) {
          continue;
        }
        du[i] = core.getDecayProfiles(core.getDecayIndex(local)).getDu();
        dv[i] = core.getDecayProfiles(core.getDecayIndex(local)).getDv();
        vth[i] = (long) core.getThresholdProfiles(core.getThresholdIndex(local)).getVth() << LOIHI.thresholdShift();
        bias[i] = FixedPoint.effectiveBias(core.getBiasMant(local),
            core.getBiasExpCount() == 0 ? 0 : core.getBiasExp(local));
      }
      for (AxonGroup g : core.getAxonGroupsList()) {
        assertEquals(0, g.getNumMessageBits(), "binary groups only in this network");
        int[] raw = g.getWeightList().stream().mapToInt(Integer::intValue).toArray();
        int[] held = WeightBits.prepare(raw, g.getSignMode(), g.getNumWeightBits(), LOIHI);
        // Per (target, delay): the largest and smallest sum of the group's weights in one step.
        Map<Long, long[]> sums = new HashMap<>();
        for (int k = 0; k < held.length; k++) {
          int delay = g.getDelayCount() == 0 ? 0 : g.getDelay(k);
          long[] s = sums.computeIfAbsent(((long) g.getTarget(k) << 8) | delay, key -> new long[2]);
          s[held[k] > 0 ? 0 : 1] += held[k];
        }
        for (Map.Entry<Long, long[]> e : sums.entrySet()) {
          int i = ranges.neuron(core, (int) (e.getKey() >> 8));
          if (i < 0) {
            continue;
          }
          int exp = g.getWeightExp();
          long up = exp >= 0 ? e.getValue()[0] << exp : e.getValue()[0] >> -exp;
          long down = exp >= 0 ? e.getValue()[1] << exp : e.getValue()[1] >> -exp;
          pos[i] += up;
          neg[i] -= down;
        }
      }
    }
    return OverflowBound.bound(pos, neg, du, dv, bias, vth, 0, LOIHI);
  }

  /** Local neuron of a core to the index in one population, through the image's symbol table. */
  private record NeuronRangesOf(ChipImage image, String name) {
    int neuron(Core core, int local) {
      for (org.quench.hal.proto.Symbol s : image.getSymbolsList()) {
        if (!s.getPopulation().equals(name)) {
          continue;
        }
        for (NeuronRange r : s.getRangesList()) {
          if (r.getCore().equals(core.getAddress()) && local >= r.getNeuronFirst()
              && local < r.getNeuronFirst() + r.getCount()) {
            return r.getOffset() + local - r.getNeuronFirst();
          }
        }
      }
      return -1;
    }
  }

  @Test
  void theReportedHeadroomIsTheEmittedImagesAfterExponentsPerCore() {
    Network net = FinalCoreThresholdsTest.spreadThresholds();
    double floor = Compiler.forNir(DT).compile(net, LOIHI, CompileOptions.none()).report()
        .weightPrecision().projections().get(0).floorRelError();
    CompileOptions o = CompileOptions.none().with(Quantize.MAX_WEIGHT_ERROR, Double.toString(1.5 * floor));
    Compiler.Result r = Compiler.forNir(DT).compile(net, LOIHI, o);
    ChipImage image = r.image();
    // The weights were rounded again per core: the projection's groups hold different exponents.
    Set<Integer> exponents = new TreeSet<>();
    for (Core core : image.getCoresList()) {
      for (AxonGroup g : core.getAxonGroupsList()) {
        exponents.add(g.getWeightExp());
      }
    }
    assertTrue(exponents.size() > 1, "exponents per core: " + exponents);

    int size = net.populations().get(0).size();
    OverflowBound.Bound image0 = fromImage(image, "p", size);
    CompileReport.PopulationQuality q = r.report().populations().stream()
        .filter(p -> p.population().equals("p")).findFirst().orElseThrow();
    assertEquals(image0.uHeadroomBits(), q.uHeadroomBits(), 1e-12);
    assertEquals(image0.vHeadroomBits(), q.vHeadroomBits(), 1e-12);

    // What the quantize pass's own weights (one exponent per projection, before partitioning)
    // would have said: not the image's.
    PassContext context = new PassContext(LOIHI, o, CompileReport.builder());
    Network d = new Discretize(DT.dt(), DT.discretization()).apply(net, context);
    Network b = new ProfileBudget(DT.dt(), DT.discretization()).apply(d, context);
    Network quantized = new Quantize(null).apply(b, context);
    Projection in = quantized.projections().get(0);
    OverflowBound.Bound before = StateHeadroom.bound(quantized.populations().get(0).fixed(),
        java.util.List.of(in), LOIHI);
    assertNotEquals(before.uHeadroomBits(), q.uHeadroomBits(), 1e-4);
    System.out.printf("u headroom %.4f (quantize's weights %.4f), v %.4f (%.4f)%n", q.uHeadroomBits(),
        before.uHeadroomBits(), q.vHeadroomBits(), before.vHeadroomBits());
  }
}
