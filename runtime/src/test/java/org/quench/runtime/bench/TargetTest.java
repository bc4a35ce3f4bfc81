package org.quench.runtime.bench;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TargetTest {
  @Test
  void atLeastGoalPassesAtOrAboveTheBound() {
    assertTrue(new Target("rate", 100, true, 100).pass());
    assertTrue(new Target("rate", 100, true, 150).pass());
    assertFalse(new Target("rate", 100, true, 99.9).pass());
  }

  @Test
  void atMostGoalPassesAtOrBelowTheBound() {
    assertTrue(new Target("bytes", 6, false, 6).pass());
    assertTrue(new Target("bytes", 6, false, 4.5).pass());
    assertFalse(new Target("bytes", 6, false, 6.01).pass());
  }

  @Test
  void lineSaysPassOrMiss() {
    assertTrue(new Target("rate", 100e6, true, 2e8).line().startsWith("PASS"));
    assertTrue(new Target("rate", 100e6, true, 2e7).line().startsWith("MISS"));
  }

  @Test
  void aMeasurementOutsideTheGoalsSizeIsNotJudged() {
    Target small = new Target("rate", 100e6, true, 2e7, "set for 100,000 neurons x 100 synapses; this run has 2,000 x 100");
    assertFalse(small.judged());
    assertFalse(small.pass());
    assertTrue(small.line().startsWith("n/a ") && !small.line().contains("MISS")
        && small.line().contains("this run has 2,000 x 100"), small.line());
  }
}
