package org.quench.examples.heterogeneity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ReadoutTest {
  @Test
  void recoversAKnownLinearMapAndRefusesToLearnNoise() {
    SplittableRandom r = new SplittableRandom(42);
    int n = 900;
    int f = 12;
    double[][] x = new double[n][f];
    double[] w = new double[f];
    for (int j = 0; j < f; j++) {
      w[j] = r.nextDouble() * 4 - 2;
    }
    double[] linear = new double[n];
    double[] noise = new double[n];
    for (int t = 0; t < n; t++) {
      double s = 3.5;
      for (int j = 0; j < f; j++) {
        // Features of very different scales and offsets: the readout standardises them.
        x[t][j] = (r.nextDouble() - 0.5) * Math.pow(10, j % 4) + 5 * j;
        s += w[j] * x[t][j] / Math.pow(10, j % 4);
      }
      linear[t] = s;
      noise[t] = r.nextDouble();
    }
    List<Readout.Fit> fits = Readout.fit(x, List.of(linear, noise), 100, 600, 600, 900);
    assertTrue(fits.get(0).nrmse() < 1e-3, "a linear map is recovered: NRMSE " + fits.get(0).nrmse());
    assertTrue(fits.get(0).lambda() <= 1e-4, "an exact map needs almost no penalty: " + fits.get(0).lambda());
    assertTrue(fits.get(1).nrmse() > 0.95, "noise is not predictable: NRMSE " + fits.get(1).nrmse());
    // Fitting a target alone gives the same as fitting it with others.
    Readout.Fit alone = Readout.fit(x, List.of(linear), 100, 600, 600, 900).get(0);
    assertEquals(fits.get(0).nrmse(), alone.nrmse(), 1e-12);
  }
}
