package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TauShapeTest {
  @Test
  void everyShapeHasTheRequestedMeanAndSpreadButOnlySkewedOnesAreSkewed() {
    int n = 200_000;
    for (TauShape s : TauShape.values()) {
      // No floor here: the floor (tested below) would cut the normal's lower tail.
      double[] x = s.draw(n, 4.0, 0.5, Double.NEGATIVE_INFINITY, 17);
      double mean = 0;
      for (double v : x) {
        mean += v / n;
      }
      double m2 = 0;
      double m3 = 0;
      for (double v : x) {
        m2 += (v - mean) * (v - mean) / n;
        m3 += Math.pow(v - mean, 3) / n;
      }
      double cv = Math.sqrt(m2) / mean;
      double skew = m3 / Math.pow(m2, 1.5);
      assertEquals(4.0, mean, 0.03, s.id() + " mean");
      assertEquals(s == TauShape.HOMOGENEOUS ? 0 : 0.5, cv, 0.01, s.id() + " cv");
      if (s.skewed()) {
        assertTrue(skew > 0.8, s.id() + " is right-skewed: " + skew);
      } else if (s != TauShape.HOMOGENEOUS) {
        assertEquals(0, skew, 0.05, s.id() + " is symmetric");
      }
    }
    for (double v : TauShape.NORMAL.draw(1000, 4.0, 1.0, 1.0, 3)) {
      assertTrue(v >= 1.0, "no draw below the floor");
    }
  }
}
