package org.quench.runtime.decode;

import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;
import org.quench.hal.QuenchException;

/**
 * A linear readout trained on the host by ridge regression, the usual last stage of reservoir
 * computing: features (filtered spikes or states of a network, one row per step) to targets.
 *
 * <p>Closed form {@code W = (XᵀX + λI)⁻¹ XᵀY} on features augmented with a constant 1 column for
 * the intercept; the intercept is not penalised. Features are standardised (zero mean, unit
 * variance per column on the training data) before fitting, so one λ suits features of any scale
 * (u in the thousands, filtered spikes near 1); constant columns are dropped.
 */
public final class RidgeReadout {
  private final double[] mean;
  private final double[] scale;
  private final double[][] weights;

  private RidgeReadout(double[] mean, double[] scale, double[][] weights) {
    this.mean = mean;
    this.scale = scale;
    this.weights = weights;
  }

  /**
   * Fits the readout.
   *
   * @param features rows = samples (steps), columns = features
   * @param targets rows = samples, columns = outputs
   * @param lambda ridge penalty (>= 0) on standardised features
   */
  public static RidgeReadout fit(double[][] features, double[][] targets, double lambda) {
    if (features.length == 0 || features.length != targets.length) {
      throw new QuenchException("ridge readout needs as many target rows as feature rows (got "
          + features.length + " and " + targets.length + ", at least 1)");
    }
    if (!(lambda >= 0)) {
      throw new QuenchException("ridge penalty " + lambda + " must be >= 0");
    }
    int n = features.length;
    int f = features[0].length;
    double[] mean = new double[f];
    double[] scale = new double[f];
    for (double[] row : features) {
      for (int j = 0; j < f; j++) {
        mean[j] += row[j] / n;
      }
    }
    for (double[] row : features) {
      for (int j = 0; j < f; j++) {
        scale[j] += (row[j] - mean[j]) * (row[j] - mean[j]) / n;
      }
    }
    for (int j = 0; j < f; j++) {
      // A constant column carries no information; scale 0 makes it vanish from the design.
      scale[j] = scale[j] > 1e-24 ? 1 / Math.sqrt(scale[j]) : 0;
    }
    RealMatrix x = new Array2DRowRealMatrix(design(features, mean, scale), false);
    RealMatrix y = new Array2DRowRealMatrix(targets);
    RealMatrix gram = x.transpose().multiply(x);
    // The intercept (column 0) is not penalised; a dropped constant column gets λ (or 1) alone
    // on its diagonal so the system stays solvable and its weight is 0.
    for (int j = 1; j <= f; j++) {
      double add = scale[j - 1] == 0 ? Math.max(lambda, 1) : lambda;
      gram.addToEntry(j, j, add);
    }
    RealMatrix w;
    try {
      w = new CholeskyDecomposition(gram, 1e-12, 1e-14).getSolver()
          .solve(x.transpose().multiply(y));
    } catch (NonPositiveDefiniteMatrixException e) {
      throw new QuenchException("ridge readout: the features are linearly dependent; use a "
          + "positive penalty (lambda > 0)");
    }
    return new RidgeReadout(mean, scale, w.getData());
  }

  /** Predictions for {@code features} (rows = samples). */
  public double[][] predict(double[][] features) {
    if (features.length > 0 && features[0].length != mean.length) {
      throw new QuenchException("ridge readout was trained on " + mean.length
          + " features, got " + features[0].length);
    }
    double[][] x = design(features, mean, scale);
    double[][] out = new double[x.length][weights[0].length];
    for (int s = 0; s < x.length; s++) {
      for (int k = 0; k < weights[0].length; k++) {
        double sum = 0;
        for (int j = 0; j < x[s].length; j++) {
          sum += x[s][j] * weights[j][k];
        }
        out[s][k] = sum;
      }
    }
    return out;
  }

  /** Number of outputs. */
  public int outputs() {
    return weights[0].length;
  }

  /**
   * Coefficient of determination of {@code predicted} against {@code actual}, column {@code k}:
   * {@code 1 - SS_res / SS_tot}. 1 is perfect, 0 is no better than the mean of {@code actual},
   * negative is worse.
   */
  public static double r2(double[][] actual, double[][] predicted, int k) {
    double mean = 0;
    for (double[] row : actual) {
      mean += row[k] / actual.length;
    }
    double res = 0;
    double tot = 0;
    for (int s = 0; s < actual.length; s++) {
      res += (actual[s][k] - predicted[s][k]) * (actual[s][k] - predicted[s][k]);
      tot += (actual[s][k] - mean) * (actual[s][k] - mean);
    }
    return tot == 0 ? (res == 0 ? 1 : Double.NEGATIVE_INFINITY) : 1 - res / tot;
  }

  private static double[][] design(double[][] features, double[] mean, double[] scale) {
    double[][] x = new double[features.length][mean.length + 1];
    for (int s = 0; s < features.length; s++) {
      x[s][0] = 1;
      for (int j = 0; j < mean.length; j++) {
        x[s][j + 1] = (features[s][j] - mean[j]) * scale[j];
      }
    }
    return x;
  }
}
