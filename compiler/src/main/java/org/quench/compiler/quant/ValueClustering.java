package org.quench.compiler.quant;

import java.util.Arrays;
import org.quench.hal.QuenchException;

/**
 * Optimal grouping of one-dimensional values into at most K groups, for the per-core heterogeneity
 * budget (a core holds only K distinct decay or threshold profiles, so neurons share them).
 *
 * <p>Values are sorted and equal values merged first (their weights add up); optimal groups in one
 * dimension are contiguous runs of the sorted distinct values, so every method here works on runs.
 * With at most K distinct values each gets its own group and the error is exactly 0.
 * <ul>
 *   <li>{@link #minSquaredError}: the grouping with the least (weighted) sum of squared distances to
 *       the group means, by exact dynamic programming over runs. Each layer of the DP is computed
 *       with divide and conquer over the optimal split point, which moves monotonically for this
 *       cost, so the whole is {@code O(K m log m)} for {@code m} distinct values, after an
 *       {@code O(n log n)} sort.</li>
 *   <li>{@link #minMaxError}: the grouping with the least largest distance to the group centre
 *       (centre = midpoint of the run), K given; {@link #minMaxErrorFilled} the same with the
 *       groups that error leaves unused split off the widest groups.</li>
 *   <li>{@link #fewestGroupsWithin}: the fewest groups whose largest absolute error is at most a
 *       bound; {@link #fewestGroupsWithinRelative} the same for positive values and the relative
 *       error {@code |centre - x| / x} (a "--max-tau-error" guarantee).</li>
 * </ul>
 * Every method is deterministic: the same input gives the same groups, ties resolved by the
 * earliest split.
 */
public final class ValueClustering {
  private ValueClustering() {}

  /**
   * A grouping.
   *
   * @param centres one value per group, ascending (group g's value)
   * @param assignment per input index, the group it belongs to
   * @param sse the weighted sum of squared errors {@code sum w (x - centre)^2}
   * @param maxAbsError {@code max |x - centre|}
   * @param maxRelError {@code max |x - centre| / |x|} over non-zero x (0 if none)
   */
  public record Clustering(double[] centres, int[] assignment, double sse, double maxAbsError,
      double maxRelError) {
    /** How many groups there are. */
    public int groups() {
      return centres.length;
    }

    /** The centre each input value was given. */
    public double centreOf(int index) {
      return centres[assignment[index]];
    }
  }

  /** {@link #minSquaredError(double[], double[], int)} with every weight 1. */
  public static Clustering minSquaredError(double[] values, int k) {
    return minSquaredError(values, null, k);
  }

  /**
   * The grouping into at most {@code k} groups with the least weighted sum of squared errors; each
   * centre is its group's weighted mean.
   *
   * @param weights one per value, finite and {@code > 0}; {@code null} for all 1
   * @throws QuenchException on a non-finite value, a bad weight, or {@code k < 1}
   */
  public static Clustering minSquaredError(double[] values, double[] weights, int k) {
    Distinct d = Distinct.of(values, weights, k);
    int m = d.values.length;
    if (m <= k) {
      return d.build(identityRuns(m), null);
    }
    int[] starts = new SquaredErrorDp(d).solve(k);
    return d.build(starts, null);
  }

  /**
   * The grouping into at most {@code k} groups that minimises the largest {@code |x - centre|},
   * centres at the midpoints of the groups' ranges. Weights do not matter for this measure.
   */
  public static Clustering minMaxError(double[] values, int k) {
    Distinct d = Distinct.of(values, null, k);
    int m = d.values.length;
    if (m <= k) {
      return d.build(identityRuns(m), null);
    }
    return d.build(minMaxStarts(d.values, k), Centre.MIDPOINT);
  }

  /**
   * {@link #minMaxError}, then every group it leaves unused: the least largest error often needs
   * fewer than {@code k} groups, and a core's spare profile rows would go to waste. The widest group
   * (ties: the first) is split where the larger of its halves' ranges is least, until there are
   * {@code k} groups or every group holds one distinct value. The largest error stays the least
   * possible, and the groups refine those of {@link #minMaxError}.
   */
  public static Clustering minMaxErrorFilled(double[] values, int k) {
    Distinct d = Distinct.of(values, null, k);
    int m = d.values.length;
    if (m <= k) {
      return d.build(identityRuns(m), null);
    }
    double[] v = d.values;
    int[] starts = minMaxStarts(v, k);
    int[] out = Arrays.copyOf(starts, k);
    int count = starts.length;
    while (count < k) {
      int widest = -1;
      double width = 0;
      for (int g = 0; g < count; g++) {
        int end = g + 1 < count ? out[g + 1] : m;
        double w = v[end - 1] - v[out[g]];
        if (w > width) {
          width = w;
          widest = g;
        }
      }
      if (widest < 0) {
        break;
      }
      int start = out[widest];
      int end = widest + 1 < count ? out[widest + 1] : m;
      int split = start + 1;
      double best = Double.POSITIVE_INFINITY;
      for (int s = start + 1; s < end; s++) {
        double larger = Math.max(v[s - 1] - v[start], v[end - 1] - v[s]);
        if (larger < best) {
          best = larger;
          split = s;
        }
      }
      System.arraycopy(out, widest + 1, out, widest + 2, count - widest - 1);
      out[widest + 1] = split;
      count++;
    }
    return d.build(Arrays.copyOf(out, count), Centre.MIDPOINT);
  }

  /**
   * The run starts of {@link #minMaxError} over sorted distinct values (more than k of them): the
   * optimal width is the smallest for which greedy covering needs at most k groups. Widths are
   * non-negative doubles, whose bit patterns order like their values: bisect on the bits.
   */
  private static int[] minMaxStarts(double[] v, int k) {
    int m = v.length;
    long lo = 0;
    long hi = Double.doubleToLongBits(v[m - 1] - v[0]);
    while (lo < hi) {
      long mid = lo + (hi - lo) / 2;
      if (greedyAbsolute(v, Double.longBitsToDouble(mid), k + 1).length <= k) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return greedyAbsolute(v, Double.longBitsToDouble(lo), m);
  }

  /**
   * The fewest groups such that every value is within {@code maxAbsError} of its group's centre
   * (midpoint of the group's range).
   */
  public static Clustering fewestGroupsWithin(double[] values, double maxAbsError) {
    if (!(maxAbsError >= 0) || Double.isInfinite(maxAbsError)) {
      throw new QuenchException("error bound " + maxAbsError + " must be finite and >= 0");
    }
    Distinct d = Distinct.of(values, null, 1);
    int m = d.values.length;
    return d.build(greedyAbsolute(d.values, 2 * maxAbsError, m), Centre.MIDPOINT);
  }

  /**
   * The fewest groups such that every (positive) value {@code x} is within relative error
   * {@code maxRelError} of its centre: {@code |centre - x| <= maxRelError * x}. The centre of a
   * group spanning {@code [a, b]} is the harmonic mean {@code 2ab / (a + b)}, which equalises the
   * relative error at both ends at {@code (b - a) / (a + b)}; a group is as long as that stays
   * within the bound, so greedy from the smallest value gives the fewest groups.
   */
  public static Clustering fewestGroupsWithinRelative(double[] values, double maxRelError) {
    if (!(maxRelError >= 0) || Double.isInfinite(maxRelError)) {
      throw new QuenchException("relative error bound " + maxRelError + " must be finite and >= 0");
    }
    Distinct d = Distinct.of(values, null, 1);
    for (double v : d.values) {
      if (!(v > 0)) {
        throw new QuenchException("relative grouping needs positive values; got " + v);
      }
    }
    double[] v = d.values;
    int m = v.length;
    int[] starts = new int[m];
    int count = 0;
    int i = 0;
    while (i < m) {
      starts[count++] = i;
      double a = v[i];
      int j = i + 1;
      while (j < m && v[j] - a <= maxRelError * (a + v[j])) {
        j++;
      }
      i = j;
    }
    return d.build(Arrays.copyOf(starts, count), Centre.HARMONIC);
  }

  // ---------------------------------------------------------------------------------------------

  private static int[] identityRuns(int m) {
    int[] starts = new int[m];
    for (int i = 0; i < m; i++) {
      starts[i] = i;
    }
    return starts;
  }

  /**
   * Greedy covering of sorted distinct values by runs of range at most {@code width}; stops early
   * after {@code limit} runs (returning {@code limit} starts means "more than limit - 1").
   */
  private static int[] greedyAbsolute(double[] v, double width, int limit) {
    int m = v.length;
    int[] starts = new int[Math.min(limit, m)];
    int count = 0;
    int i = 0;
    while (i < m && count < limit) {
      starts[count++] = i;
      // First index whose distance from v[i] exceeds width (binary search: v is ascending).
      int lo = i + 1;
      int hi = m;
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (v[mid] - v[i] <= width) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      i = lo;
    }
    return Arrays.copyOf(starts, count);
  }

  /** How a group's centre is placed. {@code null} means the weighted mean. */
  private enum Centre {
    MIDPOINT,
    HARMONIC
  }

  /** Sorted distinct values with summed weights, and where each input went. */
  private static final class Distinct {
    final double[] values;
    final double[] weights;
    final int[] index; // per input: its distinct value's position

    private Distinct(double[] values, double[] weights, int[] index) {
      this.values = values;
      this.weights = weights;
      this.index = index;
    }

    static Distinct of(double[] values, double[] weights, int k) {
      if (k < 1) {
        throw new QuenchException("number of groups must be >= 1, got " + k);
      }
      if (weights != null && weights.length != values.length) {
        throw new QuenchException(values.length + " values but " + weights.length + " weights");
      }
      int n = values.length;
      double[] sorted = new double[n];
      for (int i = 0; i < n; i++) {
        double x = values[i];
        if (!Double.isFinite(x)) {
          throw new QuenchException("value " + i + " is " + x + ": only finite values can be grouped");
        }
        if (weights != null && !(weights[i] > 0 && Double.isFinite(weights[i]))) {
          throw new QuenchException("weight " + i + " is " + weights[i] + ": must be finite and > 0");
        }
        sorted[i] = x + 0.0; // -0.0 becomes 0.0, so the two zeros merge
      }
      Arrays.sort(sorted);
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (m == 0 || sorted[i] != sorted[m - 1]) {
          sorted[m++] = sorted[i];
        }
      }
      double[] distinct = Arrays.copyOf(sorted, m);
      int[] index = new int[n];
      double[] w = new double[m];
      for (int i = 0; i < n; i++) {
        int j = Arrays.binarySearch(distinct, values[i] + 0.0);
        index[i] = j;
        w[j] += weights == null ? 1.0 : weights[i];
      }
      return new Distinct(distinct, w, index);
    }

    /** Groups from their first distinct positions (ascending, starting at 0). */
    Clustering build(int[] starts, Centre centre) {
      int m = values.length;
      int g = starts.length;
      double[] centres = new double[g];
      int[] groupOf = new int[m];
      for (int c = 0; c < g; c++) {
        int from = starts[c];
        int to = c + 1 < g ? starts[c + 1] : m;
        double a = values[from];
        double b = values[to - 1];
        if (centre == Centre.MIDPOINT) {
          centres[c] = a + (b - a) / 2;
        } else if (centre == Centre.HARMONIC) {
          centres[c] = a == b ? a : 2 * a * b / (a + b);
        } else {
          // Weighted mean about the first value, to keep precision for large offsets.
          double sw = 0;
          double sx = 0;
          for (int j = from; j < to; j++) {
            sw += weights[j];
            sx += weights[j] * (values[j] - a);
          }
          centres[c] = Math.min(b, Math.max(a, a + sx / sw));
        }
        for (int j = from; j < to; j++) {
          groupOf[j] = c;
        }
      }
      double sse = 0;
      double maxAbs = 0;
      double maxRel = 0;
      for (int j = 0; j < m; j++) {
        double e = Math.abs(values[j] - centres[groupOf[j]]);
        sse += weights[j] * e * e;
        maxAbs = Math.max(maxAbs, e);
        if (values[j] != 0) {
          maxRel = Math.max(maxRel, e / Math.abs(values[j]));
        }
      }
      int[] assignment = new int[index.length];
      for (int i = 0; i < index.length; i++) {
        assignment[i] = groupOf[index[i]];
      }
      return new Clustering(centres, assignment, sse, maxAbs, maxRel);
    }
  }

  /**
   * The least-squares DP: {@code cost[g][j]} is the least SSE of the first {@code j} distinct
   * values in {@code g} groups; {@code cost[g][j] = min over i of cost[g-1][i] + sse(i, j)}.
   */
  private static final class SquaredErrorDp {
    final double[] p0; // prefix sums of weights
    final double[] p1; // of w (x - shift)
    final double[] p2; // of w (x - shift)^2
    final int m;
    double[] prev;
    double[] cur;
    int[][] split;

    SquaredErrorDp(Distinct d) {
      m = d.values.length;
      // Shifting by the weighted mean keeps the prefix sums small, so that differences of them
      // (the cost of a run) lose little precision.
      double sw = 0;
      double sx = 0;
      for (int j = 0; j < m; j++) {
        sw += d.weights[j];
        sx += d.weights[j] * d.values[j];
      }
      double shift = sx / sw;
      p0 = new double[m + 1];
      p1 = new double[m + 1];
      p2 = new double[m + 1];
      for (int j = 0; j < m; j++) {
        double x = d.values[j] - shift;
        double w = d.weights[j];
        p0[j + 1] = p0[j] + w;
        p1[j + 1] = p1[j] + w * x;
        p2[j + 1] = p2[j] + w * x * x;
      }
    }

    /** SSE of the run of distinct values {@code i..j-1} about its weighted mean. */
    double cost(int i, int j) {
      double w = p0[j] - p0[i];
      double s = p1[j] - p1[i];
      double c = (p2[j] - p2[i]) - s * s / w;
      return c > 0 ? c : 0;
    }

    int[] solve(int k) {
      prev = new double[m + 1];
      cur = new double[m + 1];
      split = new int[k + 1][];
      for (int j = 1; j <= m; j++) {
        prev[j] = cost(0, j);
      }
      for (int g = 2; g <= k; g++) {
        split[g] = new int[m + 1];
        Arrays.fill(cur, Double.POSITIVE_INFINITY);
        // Only prefixes long enough for g groups and short enough to leave one value per
        // remaining group matter.
        int jlo = g;
        int jhi = m - (k - g);
        layer(g, jlo, jhi, g - 1, jhi - 1);
        double[] t = prev;
        prev = cur;
        cur = t;
      }
      int[] starts = new int[k];
      int j = m;
      for (int g = k; g >= 2; g--) {
        int i = split[g][j];
        starts[g - 1] = i;
        j = i;
      }
      starts[0] = 0;
      return starts;
    }

    /** Fills cur[jlo..jhi] knowing the optimal split for them lies in [optLo, optHi]. */
    private void layer(int g, int jlo, int jhi, int optLo, int optHi) {
      // Iterative divide and conquer (an explicit stack: recursion depth would be log m anyway,
      // but this keeps it allocation-light).
      int[] stack = new int[4 * 64];
      int sp = 0;
      stack[sp++] = jlo;
      stack[sp++] = jhi;
      stack[sp++] = optLo;
      stack[sp++] = optHi;
      while (sp > 0) {
        int oh = stack[--sp];
        int ol = stack[--sp];
        int hi = stack[--sp];
        int lo = stack[--sp];
        if (lo > hi) {
          continue;
        }
        int mid = (lo + hi) >>> 1;
        int bestI = -1;
        double best = Double.POSITIVE_INFINITY;
        int last = Math.min(oh, mid - 1);
        for (int i = Math.max(ol, g - 1); i <= last; i++) {
          double c = prev[i] + cost(i, mid);
          if (c < best) {
            best = c;
            bestI = i;
          }
        }
        cur[mid] = best;
        split[g][mid] = bestI;
        if (sp + 8 > stack.length) {
          stack = Arrays.copyOf(stack, stack.length * 2);
        }
        stack[sp++] = lo;
        stack[sp++] = mid - 1;
        stack[sp++] = ol;
        stack[sp++] = bestI;
        stack[sp++] = mid + 1;
        stack[sp++] = hi;
        stack[sp++] = bestI;
        stack[sp++] = oh;
      }
    }
  }
}
