package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskSuiteTest {
  private static final int LENGTH = 600;

  @Test
  void suiteHasAtLeast200DistinctTasksOnEveryDrive() {
    List<Task> all = TaskSuite.all();
    assertTrue(all.size() >= 200, "only " + all.size() + " tasks");
    Set<String> ids = new HashSet<>();
    for (Task t : all) {
      assertTrue(ids.add(t.id()), "task id twice: " + t.id());
      assertFalse(t.id().contains(","), "task ids go into CSV fields: " + t.id());
    }
    for (Drive d : Drive.values()) {
      assertFalse(TaskSuite.on(d).isEmpty(), "no task reads " + d.id());
    }
    Set<String> families = new HashSet<>();
    all.forEach(t -> families.add(t.family()));
    assertTrue(families.containsAll(Set.of("recall", "narma", "nonlinear-memory", "prediction", "observer")));
  }

  @Test
  void drivesAreDeterministicInRangeAndDependOnTheSeed() {
    for (Drive d : Drive.values()) {
      DriveSeries a = d.generate(7, LENGTH);
      DriveSeries b = d.generate(7, LENGTH);
      DriveSeries c = d.generate(8, LENGTH);
      assertEquals(d.channels(), a.input()[0].length, d.id());
      for (int t = 0; t < LENGTH; t++) {
        assertArrayEquals(a.source()[t], b.source()[t], d.id() + " sample " + t);
        for (double v : a.input()[t]) {
          assertTrue(v >= 0 && v <= 1, d.id() + ": input " + v + " outside [0, 1]");
        }
        for (double v : a.source()[t]) {
          assertTrue(Double.isFinite(v), d.id() + ": non-finite source at " + t);
        }
      }
      assertFalse(Arrays.equals(a.source()[LENGTH - 1], c.source()[LENGTH - 1]),
          d.id() + ": another seed must give another series");
    }
  }

  @Test
  void delayedRecallTargetsAreTheInputShifted() {
    DriveSeries s = Drive.IID1.generate(3, LENGTH);
    for (int d : new int[] {0, 1, 7, 39}) {
      double[] y = TaskSuite.byId("recall/d=" + d).target().values(s);
      for (int t = 0; t < LENGTH; t++) {
        if (t < d) {
          assertTrue(Double.isNaN(y[t]), "recall d=" + d + " is undefined before sample " + d);
        } else {
          assertEquals(s.source()[t - d][0], y[t], "recall d=" + d + " at " + t);
        }
      }
    }
    DriveSeries three = Drive.IID3.generate(3, LENGTH);
    double[] y = TaskSuite.byId("recall3/c=2/d=4").target().values(three);
    assertEquals(three.source()[100][2], y[104]);
  }

  @Test
  void narmaFollowsItsRecursion() {
    DriveSeries s = Drive.IID1.generate(11, LENGTH);
    double[] u = s.column(0);
    for (int order : new int[] {3, 5, 10}) {
      double[] y = Narma.series(u, order);
      for (int t = order; t < LENGTH - 1; t++) {
        double sum = 0;
        for (int i = 0; i < order; i++) {
          sum += y[t - i];
        }
        double expected = 0.3 * y[t] + 0.05 * y[t] * sum + 1.5 * u[t - order + 1] * u[t] + 0.1;
        assertEquals(expected, y[t + 1], 1e-12, "NARMA-" + order + " at " + t);
      }
      double[] target = TaskSuite.byId("narma/n=" + order).target().values(s);
      assertEquals(y[101], target[100], "the target after sample t is y[t+1]");
    }
    double[] y2 = Narma.series(u, 2);
    for (int t = 1; t < LENGTH - 1; t++) {
      assertEquals(0.4 * y2[t] + 0.4 * y2[t] * y2[t - 1] + 0.6 * Math.pow(u[t], 3) + 0.1, y2[t + 1], 1e-12);
    }
    double[] y20 = Narma.series(u, 20);
    for (int t = 20; t < LENGTH - 1; t++) {
      double sum = 0;
      for (int i = 0; i < 20; i++) {
        sum += y20[t - i];
      }
      assertEquals(Math.tanh(0.3 * y20[t] + 0.05 * y20[t] * sum + 1.5 * u[t - 19] * u[t] + 0.1),
          y20[t + 1], 1e-12);
    }
    for (Task t : TaskSuite.on(Drive.IID1)) {
      if (t.family().equals("narma")) {
        double[] v = t.target().values(Drive.IID1.generate(1, 3000));
        for (int i = 0; i < 2999; i++) {
          assertTrue(Math.abs(v[i]) < 10, t.id() + " must stay bounded, got " + v[i] + " at " + i);
        }
      }
    }
  }

  @Test
  void henonSeriesIsTheHenonMapAndPredictionLooksAhead() {
    DriveSeries s = Drive.HENON_XY.generate(5, LENGTH);
    for (int t = 0; t + 1 < LENGTH; t++) {
      double x = s.source()[t][0];
      double y = s.source()[t][1];
      assertEquals(1 - 1.4 * x * x + y, s.source()[t + 1][0], 1e-12, "x at " + (t + 1));
      assertEquals(0.3 * x, s.source()[t + 1][1], 1e-12, "y at " + (t + 1));
      assertTrue(Math.abs(x) < 1.5, "the attractor stays in |x| < 1.5");
    }
    double[] ahead = TaskSuite.byId("henon-xy/x/h=3").target().values(s);
    assertEquals(s.source()[53][0], ahead[50]);
    assertTrue(Double.isNaN(ahead[LENGTH - 1]), "no target beyond the series");
  }

  @Test
  void chaoticFlowsStayOnTheirAttractors() {
    for (double[] row : Drive.LORENZ_XYZ.generate(2, LENGTH).source()) {
      assertTrue(Math.abs(row[0]) < 25 && Math.abs(row[1]) < 35 && row[2] > 0 && row[2] < 55,
          "Lorenz state " + Arrays.toString(row));
    }
    double[] mg = Drive.MACKEY_GLASS_17.generate(2, LENGTH).column(0);
    double lo = Arrays.stream(mg).min().orElseThrow();
    double hi = Arrays.stream(mg).max().orElseThrow();
    assertTrue(lo > 0.1 && hi < 1.5 && hi - lo > 0.5, "Mackey-Glass 17 oscillates in (0.2, 1.4): " + lo + ".." + hi);
    double[] logistic = Drive.LOGISTIC.generate(2, LENGTH).column(0);
    for (int t = 0; t + 1 < LENGTH; t++) {
      assertEquals(3.9 * logistic[t] * (1 - logistic[t]), logistic[t + 1], 1e-12);
    }
  }
}
