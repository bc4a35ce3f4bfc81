package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class StudyRowTest {
  /** A small, fast rate configuration. */
  static ReservoirConfig small() {
    return ReservoirConfig.rate(24, TauShape.LOGNORMAL, 1.0).withTrain(300).withTest(200);
  }

  @Test
  void aRowIsAPureFunctionOfItsParameters() {
    Task task = TaskSuite.byId("narma/n=5");
    StudyRow row = new StudyRow(task, small(), 4);
    RowResult first = row.run();
    RowResult again = new StudyRow(TaskSuite.byId("narma/n=5"), small(), 4).run();
    assertEquals(first, again, "same task, configuration and seed: same numbers, bit for bit");
    Map<String, RowResult> shared = new WorkItem(Drive.IID1, small(), 4, TaskSuite.on(Drive.IID1)).run();
    assertEquals(first, shared.get(task.id()), "computing the row with its drive's other tasks changes nothing");
    assertNotEquals(first.nrmse(), new StudyRow(task, small(), 5).run().nrmse(), "another seed, another network");
    assertTrue(first.nrmse() > 0 && first.nrmse() < 1, "NARMA-5 is learnable: " + first.nrmse());
  }

  @Test
  void homogeneousAndHeterogeneousNetworksOfOneSeedShareWiringAndInput() {
    Wiring a = Wiring.of(24, 10, 3, 9);
    Wiring b = Wiring.of(24, 10, 3, 9);
    assertEquals(a.sources()[5][3], b.sources()[5][3]);
    assertEquals(a.weights()[7][2], b.weights()[7][2]);
    double[] het = RateReservoir.taus(small(), 9);
    double[] hom = RateReservoir.taus(small().withShape(TauShape.HOMOGENEOUS, 0), 9);
    double mean = 0;
    for (double t : het) {
      mean += t / het.length;
      assertTrue(t >= RateReservoir.TAU_FLOOR);
    }
    assertTrue(Math.abs(mean - 4) < 1.5, "lognormal mean near 4 samples: " + mean);
    for (double t : hom) {
      assertEquals(4.0, t);
    }
    for (int[] src : a.sources()) {
      assertEquals(10, java.util.Arrays.stream(src).distinct().count(), "distinct sources");
    }
  }
}
