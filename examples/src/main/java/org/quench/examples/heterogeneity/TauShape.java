package org.quench.examples.heterogeneity;

import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.GammaDistribution;
import org.apache.commons.math3.distribution.LogNormalDistribution;
import org.apache.commons.math3.distribution.NormalDistribution;
import org.apache.commons.math3.distribution.RealDistribution;
import org.apache.commons.math3.distribution.UniformRealDistribution;
import org.apache.commons.math3.random.Well19937c;

/**
 * The shape of the distribution a population's time constants are drawn from. Every shape is
 * parameterised by the same mean and coefficient of variation (standard deviation / mean, "cv"),
 * so skewed and symmetric shapes compare at equal mean and variance (claim 3). Draws below a floor
 * (the shortest time constant the model can realise) are raised to the floor; the realised mean
 * and cv are what the CSV records as {@code tau_mean_realised} (docs/heterogeneity-study.md).
 */
enum TauShape {
  /** Every neuron has the mean. */
  HOMOGENEOUS("homogeneous", false),
  /** Lognormal: right-skewed, heavy tail. */
  LOGNORMAL("lognormal", true),
  /** Gamma with shape 1/cv^2: right-skewed. */
  GAMMA("gamma", true),
  /** Uniform on mean ± sqrt(3) cv mean: symmetric. */
  UNIFORM("uniform", false),
  /** Normal: symmetric. */
  NORMAL("normal", false);

  private final String id;
  private final boolean skewed;

  TauShape(String id, boolean skewed) {
    this.id = id;
    this.skewed = skewed;
  }

  String id() {
    return id;
  }

  /** Whether the shape is right-skewed (lognormal, gamma). */
  boolean skewed() {
    return skewed;
  }

  static TauShape byId(String id) {
    for (TauShape s : values()) {
      if (s.id.equals(id)) {
        return s;
      }
    }
    throw new IllegalArgumentException("no time-constant distribution '" + id + "'");
  }

  /**
   * {@code n} draws with the given mean and cv, none below {@code floor}.
   *
   * @param seed seeds the draws (Commons Math's Well19937c generator)
   */
  double[] draw(int n, double mean, double cv, double floor, long seed) {
    double[] tau = new double[n];
    if (this == HOMOGENEOUS || cv == 0) {
      java.util.Arrays.fill(tau, Math.max(floor, mean));
      return tau;
    }
    Well19937c rng = new Well19937c(new SplittableRandom(seed).nextLong());
    double sd = cv * mean;
    RealDistribution dist = switch (this) {
      case LOGNORMAL -> {
        double sigma2 = Math.log(1 + cv * cv);
        yield new LogNormalDistribution(rng, Math.log(mean) - sigma2 / 2, Math.sqrt(sigma2),
            LogNormalDistribution.DEFAULT_INVERSE_ABSOLUTE_ACCURACY);
      }
      case GAMMA -> new GammaDistribution(rng, 1 / (cv * cv), mean * cv * cv);
      case UNIFORM -> new UniformRealDistribution(rng, mean - Math.sqrt(3) * sd, mean + Math.sqrt(3) * sd);
      case NORMAL -> new NormalDistribution(rng, mean, sd);
      case HOMOGENEOUS -> throw new IllegalStateException("unreachable");
    };
    for (int i = 0; i < n; i++) {
      tau[i] = Math.max(floor, dist.sample());
    }
    return tau;
  }
}
