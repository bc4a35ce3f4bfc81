package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.compiler.CompileReport;
import org.quench.compiler.Compiler;
import org.quench.compiler.ir.Network;
import org.quench.compiler.quant.Discretization;
import org.quench.compiler.reference.ReferenceSimulator;
import org.quench.hal.ChipSpec;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.Core;
import org.quench.runtime.session.Session;

class SpikingReservoirTest {
  private static ReservoirConfig config(String device) {
    // 48 neurons with lognormal taus need more decay profiles than a Loihi core holds (32).
    return ReservoirConfig.spiking(48, TauShape.LOGNORMAL, 1.0, device).withTrain(200).withTest(100);
  }

  @Test
  void studyNetworkCompilesWithinTheProfileBudgetAndTheChipStaysCloseToTheFloatReference() {
    ReservoirConfig chip = config(StudyPlan.CHIP);
    DriveSeries series = Drive.IID3.generate(1, 400);
    Network net = SpikingReservoir.network(chip, 1, 3);
    Compiler.Result compiled = SpikingReservoir.compiler().compile(net, ChipSpec.loihi());
    CompileReport.PopulationQuality q = compiled.report().populations().get(0);
    assertTrue(q.distinctDecaysRequested() > 32, "the test needs more taus than a core holds: "
        + q.distinctDecaysRequested());
    for (Core core : compiled.image().getCoresList()) {
      assertTrue(core.getDecayProfilesCount() <= ChipSpec.loihi().decayProfilesPerCore(),
          "profile budget per core");
    }
    Stimulus stimulus = SpikingReservoir.stimulus(series.input(), chip.stepsPerSample());
    int[] chipCounts;
    try (Session s = Session.open(StudyPlan.CHIP)) {
      s.load(compiled.image());
      RunResult r = s.run(stimulus);
      chipCounts = counts(r.output(SpikingReservoir.POPULATION).dense(stimulus.steps()));
    }
    int[] refCounts = new ReferenceSimulator(net, SpikingReservoir.DT, Discretization.Convention.EXACT)
        .run(stimulus).spikeCounts(SpikingReservoir.POPULATION);
    long chipTotal = java.util.Arrays.stream(chipCounts).sum();
    long refTotal = java.util.Arrays.stream(refCounts).sum();
    assertTrue(refTotal > 48 * 20, "the reservoir must be active: " + refTotal + " spikes");
    assertEquals(refTotal, chipTotal, 0.15 * refTotal, "total spikes, chip vs float");
    double r = correlation(chipCounts, refCounts);
    assertTrue(r > 0.9, "per-neuron spike counts correlate, chip vs float: r = " + r);
  }

  @Test
  void chipAndReferenceRowsReachSimilarErrors() {
    List<Task> tasks = List.of(TaskSuite.byId("recall3/c=0/d=1"), TaskSuite.byId("signed-sum/d=0"));
    Map<String, RowResult> chip = new WorkItem(Drive.IID3, config(StudyPlan.CHIP), 2, tasks).run();
    Map<String, RowResult> ref = new WorkItem(Drive.IID3, config(ReservoirConfig.REFERENCE), 2, tasks).run();
    for (Task t : tasks) {
      RowResult c = chip.get(t.id());
      RowResult f = ref.get(t.id());
      assertNotNull(c);
      assertTrue(c.nrmse() < 0.95, t.id() + " is partly learnable on the chip: " + c.nrmse());
      assertEquals(f.nrmse(), c.nrmse(), 0.1, t.id() + ": chip vs float reference NRMSE");
      assertTrue(c.decaysRealised() > 0 && c.decaysRealised() <= c.decaysRequested());
      assertEquals(-1, f.decaysRequested(), "the float reference compiles nothing");
    }
  }

  private static int[] counts(int[][] spikes) {
    int[] c = new int[spikes[0].length];
    for (int[] row : spikes) {
      for (int i = 0; i < row.length; i++) {
        c[i] += row[i] != 0 ? 1 : 0;
      }
    }
    return c;
  }

  private static double correlation(int[] a, int[] b) {
    double ma = java.util.Arrays.stream(a).average().orElse(0);
    double mb = java.util.Arrays.stream(b).average().orElse(0);
    double sab = 0;
    double saa = 0;
    double sbb = 0;
    for (int i = 0; i < a.length; i++) {
      sab += (a[i] - ma) * (b[i] - mb);
      saa += (a[i] - ma) * (a[i] - ma);
      sbb += (b[i] - mb) * (b[i] - mb);
    }
    return sab / Math.sqrt(saa * sbb);
  }
}
