package org.quench.hal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.hal.proto.Distribution;

class QuantileGainsTest {
  @Test
  void inverseNormalMatchesKnownQuantiles() {
    assertEquals(0.0, QuantileGains.inverseNormal(0.5), 1e-12);
    assertEquals(1.959963984540054, QuantileGains.inverseNormal(0.975), 1e-8);
    assertEquals(-2.326347874040841, QuantileGains.inverseNormal(0.01), 1e-8);
    assertEquals(-3.090232306167814, QuantileGains.inverseNormal(0.001), 1e-8);
    for (double p : new double[] {1e-5, 0.01, 0.2, 0.4}) {
      assertEquals(-QuantileGains.inverseNormal(p), QuantileGains.inverseNormal(1 - p), 1e-8);
    }
  }

  @Test
  void tablesHaveTheDistributionsSpreadAndAreShared() {
    int[] lognormal = QuantileGains.of(Distribution.LOGNORMAL, 0.08);
    assertSame(lognormal, QuantileGains.of(Distribution.LOGNORMAL, 0.08));
    double sum = 0;
    double sq = 0;
    for (int g : lognormal) {
      double z = Math.log(g / (double) ParameterDeviation.ONE);
      sum += z;
      sq += z * z;
    }
    double mean = sum / lognormal.length;
    double sd = Math.sqrt(sq / lognormal.length - mean * mean);
    assertEquals(0.0, mean, 1e-4);
    assertEquals(0.08, sd, 0.08 * 0.01);
    int[] normal = QuantileGains.of(Distribution.NORMAL, 0.5);
    for (int k = 1; k < normal.length; k++) {
      assertTrue(normal[k] >= normal[k - 1], "quantiles ascend");
    }
    assertEquals(0, normal[0], "1 + 0.5 z is floored at 0 in the far left tail");
  }
}
