package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.CholeskyDecomposition;
import org.apache.commons.math3.linear.NonPositiveDefiniteMatrixException;
import org.apache.commons.math3.linear.RealMatrix;

/**
 * Ridge-regression readouts for many targets on one feature matrix, sharing the Gram matrix
 * (Commons Math Cholesky solves, all targets at once per penalty).
 *
 * <p>Rows {@code [trainStart, trainEnd)} train, {@code [testStart, testEnd)} test. Features are
 * centred (intercept unpenalised) and scaled to unit variance on the training rows, so one penalty
 * grid suits every model. The penalty is chosen per target from {@link #LAMBDAS} (times the number
 * of fitting rows) on a validation split: fit on the first 80% of the training rows, score on the
 * last 20%; the chosen penalty is then refitted on all training rows. Reported: test NRMSE
 * ({@code sqrt(mean((y - yhat)^2)) / std(y)} over the test rows), training NRMSE and the penalty.
 */
final class Readout {
  /** Penalties per fitting row, on standardised features. */
  static final double[] LAMBDAS = {1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1};

  /** What one target's readout achieved. */
  record Fit(double nrmse, double trainNrmse, double lambda) {}

  private Readout() {}

  /**
   * Fits and scores one readout per target.
   *
   * @param x features, rows = samples
   * @param targets per target, one value per sample (finite on the train and test rows)
   */
  static List<Fit> fit(double[][] x, List<double[]> targets, int trainStart, int trainEnd,
      int testStart, int testEnd) {
    int f = x[0].length;
    int m = targets.size();
    int split = trainStart + (int) Math.round(0.8 * (trainEnd - trainStart));
    for (int k = 0; k < m; k++) {
      double[] y = targets.get(k);
      for (int t = trainStart; t < testEnd; t++) {
        if ((t < trainEnd || t >= testStart) && !Double.isFinite(y[t])) {
          throw new IllegalStateException("target " + k + " is undefined at sample " + t
              + ", inside the training or test rows");
        }
      }
    }
    // Scale: standard deviation over all training rows (0 for a constant feature: dropped).
    double[] mean = new double[f];
    double[] inv = new double[f];
    int n = trainEnd - trainStart;
    for (int t = trainStart; t < trainEnd; t++) {
      for (int j = 0; j < f; j++) {
        mean[j] += x[t][j] / n;
      }
    }
    for (int t = trainStart; t < trainEnd; t++) {
      for (int j = 0; j < f; j++) {
        double d = x[t][j] - mean[j];
        inv[j] += d * d / n;
      }
    }
    for (int j = 0; j < f; j++) {
      inv[j] = inv[j] > 1e-20 ? 1 / Math.sqrt(inv[j]) : 0;
    }
    double[][] z = new double[x.length][f];
    for (int t = 0; t < x.length; t++) {
      for (int j = 0; j < f; j++) {
        z[t][j] = (x[t][j] - mean[j]) * inv[j];
      }
    }
    Moments fitPart = Moments.of(z, targets, trainStart, split);
    Moments valPart = Moments.of(z, targets, split, trainEnd);
    Moments all = fitPart.plus(valPart);

    double[] bestErr = new double[m];
    double[] bestLambda = new double[m];
    java.util.Arrays.fill(bestErr, Double.POSITIVE_INFINITY);
    for (double lambda : LAMBDAS) {
      double[][] w = fitPart.solve(lambda * fitPart.rows);
      for (int k = 0; k < m; k++) {
        double err = sse(z, targets.get(k), w, k, fitPart.interceptOf(w, k), split, trainEnd);
        if (err < bestErr[k]) {
          bestErr[k] = err;
          bestLambda[k] = lambda;
        }
      }
    }
    List<Fit> fits = new ArrayList<>(m);
    for (int k = 0; k < m; k++) {
      fits.add(null);
    }
    for (double lambda : LAMBDAS) {
      List<Integer> chosen = new ArrayList<>();
      for (int k = 0; k < m; k++) {
        if (bestLambda[k] == lambda) {
          chosen.add(k);
        }
      }
      if (chosen.isEmpty()) {
        continue;
      }
      double[][] w = all.solve(lambda * all.rows);
      for (int k : chosen) {
        double[] y = targets.get(k);
        double b = all.interceptOf(w, k);
        double test = Math.sqrt(sse(z, y, w, k, b, testStart, testEnd) / (testEnd - testStart))
            / std(y, testStart, testEnd);
        double train = Math.sqrt(sse(z, y, w, k, b, trainStart, trainEnd) / (trainEnd - trainStart))
            / std(y, trainStart, trainEnd);
        fits.set(k, new Fit(test, train, lambda));
      }
    }
    return fits;
  }

  private static double sse(double[][] z, double[] y, double[][] w, int k, double b, int from, int to) {
    double s = 0;
    for (int t = from; t < to; t++) {
      double p = b;
      double[] row = z[t];
      for (int j = 0; j < row.length; j++) {
        p += row[j] * w[j][k];
      }
      double e = y[t] - p;
      s += e * e;
    }
    return s;
  }

  static double std(double[] y, int from, int to) {
    double mean = 0;
    for (int t = from; t < to; t++) {
      mean += y[t];
    }
    mean /= to - from;
    double v = 0;
    for (int t = from; t < to; t++) {
      v += (y[t] - mean) * (y[t] - mean);
    }
    double sd = Math.sqrt(v / (to - from));
    return sd > 0 ? sd : Double.MIN_NORMAL;
  }

  /**
   * Sums over a block of rows: count, feature sums, feature cross products, target sums and
   * feature-target cross products; enough to fit a centred ridge regression on the block.
   */
  private static final class Moments {
    final int rows;
    final double[] sx;
    final double[][] sxx;
    final double[] sy;
    final double[][] sxy;

    private Moments(int rows, double[] sx, double[][] sxx, double[] sy, double[][] sxy) {
      this.rows = rows;
      this.sx = sx;
      this.sxx = sxx;
      this.sy = sy;
      this.sxy = sxy;
    }

    static Moments of(double[][] z, List<double[]> targets, int from, int to) {
      int f = z[0].length;
      int m = targets.size();
      double[] sx = new double[f];
      double[][] sxx = new double[f][f];
      double[] sy = new double[m];
      double[][] sxy = new double[f][m];
      for (int t = from; t < to; t++) {
        double[] row = z[t];
        for (int i = 0; i < f; i++) {
          double a = row[i];
          if (a == 0) {
            continue;
          }
          sx[i] += a;
          double[] out = sxx[i];
          for (int j = i; j < f; j++) {
            out[j] += a * row[j];
          }
        }
        for (int k = 0; k < m; k++) {
          double y = targets.get(k)[t];
          sy[k] += y;
          for (int i = 0; i < f; i++) {
            sxy[i][k] += row[i] * y;
          }
        }
      }
      for (int i = 0; i < f; i++) {
        for (int j = 0; j < i; j++) {
          sxx[i][j] = sxx[j][i];
        }
      }
      return new Moments(to - from, sx, sxx, sy, sxy);
    }

    Moments plus(Moments o) {
      int f = sx.length;
      int m = sy.length;
      double[] ax = new double[f];
      double[][] axx = new double[f][f];
      double[] ay = new double[m];
      double[][] axy = new double[f][m];
      for (int i = 0; i < f; i++) {
        ax[i] = sx[i] + o.sx[i];
        for (int j = 0; j < f; j++) {
          axx[i][j] = sxx[i][j] + o.sxx[i][j];
        }
        for (int k = 0; k < m; k++) {
          axy[i][k] = sxy[i][k] + o.sxy[i][k];
        }
      }
      for (int k = 0; k < m; k++) {
        ay[k] = sy[k] + o.sy[k];
      }
      return new Moments(rows + o.rows, ax, axx, ay, axy);
    }

    /** Weights (features × targets) of the centred ridge regression with penalty {@code lambda}. */
    double[][] solve(double lambda) {
      int f = sx.length;
      int m = sy.length;
      double[][] gram = new double[f][f];
      double[][] rhs = new double[f][m];
      for (int i = 0; i < f; i++) {
        for (int j = 0; j < f; j++) {
          gram[i][j] = sxx[i][j] - sx[i] * sx[j] / rows;
        }
        // A dropped (all-zero) feature still needs a positive diagonal.
        gram[i][i] += Math.max(lambda, 1e-12);
        for (int k = 0; k < m; k++) {
          rhs[i][k] = sxy[i][k] - sx[i] * sy[k] / rows;
        }
      }
      try {
        RealMatrix w = new CholeskyDecomposition(new Array2DRowRealMatrix(gram, false), 1e-14, 1e-300)
            .getSolver().solve(new Array2DRowRealMatrix(rhs, false));
        return w.getData();
      } catch (NonPositiveDefiniteMatrixException e) {
        throw new IllegalStateException("ridge readout: Gram matrix not positive definite at penalty "
            + lambda, e);
      }
    }

    /** The intercept that goes with weights {@code w} for target {@code k}. */
    double interceptOf(double[][] w, int k) {
      double b = sy[k] / rows;
      for (int i = 0; i < sx.length; i++) {
        b -= sx[i] / rows * w[i][k];
      }
      return b;
    }
  }
}
