package org.quench.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.quench.hal.QuenchException;

class ValueClusteringTest {

  /** Calls back once per set partition of n items into at most k blocks (restricted growth). */
  private interface PartitionVisitor {
    void visit(int[] block, int blocks);
  }

  private static void forEachPartition(int n, int k, PartitionVisitor v) {
    int[] block = new int[n];
    walk(block, 0, 0, k, v);
  }

  private static void walk(int[] block, int pos, int used, int k, PartitionVisitor v) {
    if (pos == block.length) {
      v.visit(block, used);
      return;
    }
    for (int b = 0; b <= used && b < k; b++) {
      block[pos] = b;
      walk(block, pos + 1, Math.max(used, b + 1), k, v);
    }
  }

  /** Least weighted SSE over all set partitions (not only contiguous ones) into <= k blocks. */
  private static double bruteSse(double[] x, double[] w, int k) {
    double[] best = {Double.POSITIVE_INFINITY};
    forEachPartition(x.length, k, (block, blocks) -> {
      double[] sw = new double[blocks];
      double[] sx = new double[blocks];
      for (int i = 0; i < x.length; i++) {
        sw[block[i]] += w[i];
        sx[block[i]] += w[i] * x[i];
      }
      double sse = 0;
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - sx[block[i]] / sw[block[i]];
        sse += w[i] * d * d;
      }
      best[0] = Math.min(best[0], sse);
    });
    return best[0];
  }

  /** Least max distance to a block's midpoint over all set partitions into <= k blocks. */
  private static double bruteMaxError(double[] x, int k) {
    double[] best = {Double.POSITIVE_INFINITY};
    forEachPartition(x.length, k, (block, blocks) -> {
      double[] lo = new double[blocks];
      double[] hi = new double[blocks];
      java.util.Arrays.fill(lo, Double.POSITIVE_INFINITY);
      java.util.Arrays.fill(hi, Double.NEGATIVE_INFINITY);
      for (int i = 0; i < x.length; i++) {
        lo[block[i]] = Math.min(lo[block[i]], x[i]);
        hi[block[i]] = Math.max(hi[block[i]], x[i]);
      }
      double worst = 0;
      for (int b = 0; b < blocks; b++) {
        worst = Math.max(worst, (hi[b] - lo[b]) / 2);
      }
      best[0] = Math.min(best[0], worst);
    });
    return best[0];
  }

  private static double[] randomValues(Random rnd, int n) {
    double[] x = new double[n];
    for (int i = 0; i < n; i++) {
      // Small integers make duplicates likely; the offset tests precision away from 0.
      x[i] = rnd.nextBoolean() ? rnd.nextInt(6) : 1000 + rnd.nextGaussian() * 3;
    }
    return x;
  }

  @Test
  void squaredErrorMatchesBruteForceOverAllPartitions() {
    Random rnd = new Random(42);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(8);
      int k = 1 + rnd.nextInt(4);
      double[] x = randomValues(rnd, n);
      double[] w = new double[n];
      boolean weighted = rnd.nextBoolean();
      for (int i = 0; i < n; i++) {
        w[i] = weighted ? 0.1 + rnd.nextDouble() * 5 : 1;
      }
      ValueClustering.Clustering c = ValueClustering.minSquaredError(x, weighted ? w : null, k);
      double brute = bruteSse(x, w, k);
      assertEquals(brute, c.sse(), 1e-7 * (1 + brute), "trial " + trial);
      assertTrue(c.groups() <= k);
      // The reported sse is the sse of the reported assignment and centres.
      double check = 0;
      for (int i = 0; i < n; i++) {
        double d = x[i] - c.centreOf(i);
        check += w[i] * d * d;
      }
      assertEquals(check, c.sse(), 1e-9 * (1 + check));
    }
  }

  @Test
  void maxErrorMatchesBruteForceOverAllPartitions() {
    Random rnd = new Random(7);
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(8);
      int k = 1 + rnd.nextInt(4);
      double[] x = randomValues(rnd, n);
      ValueClustering.Clustering c = ValueClustering.minMaxError(x, k);
      assertEquals(bruteMaxError(x, k), c.maxAbsError(), 1e-9, "trial " + trial);
      assertTrue(c.groups() <= k);
    }
  }

  @Test
  void filledMaxErrorKeepsTheLeastLargestErrorAndSpendsEveryGroup() {
    Random rnd = new Random(11);
    int spent = 0;
    for (int trial = 0; trial < 300; trial++) {
      int n = 1 + rnd.nextInt(40);
      int k = 1 + rnd.nextInt(12);
      double[] x = randomValues(rnd, n);
      ValueClustering.Clustering least = ValueClustering.minMaxError(x, k);
      ValueClustering.Clustering filled = ValueClustering.minMaxErrorFilled(x, k);
      long distinct = Arrays.stream(x).distinct().count();
      assertEquals(least.maxAbsError(), filled.maxAbsError(), 1e-12, "trial " + trial);
      assertEquals(Math.min(k, distinct), filled.groups(), "trial " + trial);
      // The filled groups refine the least ones: values that share a filled group share a least one.
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < n; j++) {
          if (filled.assignment()[i] == filled.assignment()[j]) {
            assertEquals(least.assignment()[i], least.assignment()[j], "trial " + trial);
          }
        }
      }
      spent += filled.groups() > least.groups() ? 1 : 0;
    }
    assertTrue(spent > 0, "no trial left groups unused by the least largest error");
  }

  @Test
  void fewerDistinctValuesThanGroupsAreExact() {
    double[] x = {3, 1, 3, 2, 1};
    ValueClustering.Clustering c = ValueClustering.minSquaredError(x, 4);
    assertArrayEquals(new double[] {1, 2, 3}, c.centres());
    assertArrayEquals(new int[] {2, 0, 2, 1, 0}, c.assignment());
    assertEquals(0.0, c.sse());
    assertEquals(0.0, ValueClustering.minMaxError(x, 3).maxAbsError());
  }

  @Test
  void allEqualValuesFormOneGroup() {
    double[] x = {2.5, 2.5, 2.5, 2.5};
    ValueClustering.Clustering c = ValueClustering.minSquaredError(x, 3);
    assertEquals(1, c.groups());
    assertEquals(2.5, c.centres()[0]);
    assertEquals(0.0, c.sse());
  }

  @Test
  void oneGroupIsTheWeightedMean() {
    ValueClustering.Clustering c =
        ValueClustering.minSquaredError(new double[] {0, 10, 4}, new double[] {1, 3, 1}, 1);
    assertEquals(34.0 / 5, c.centres()[0], 1e-12);
    ValueClustering.Clustering mm = ValueClustering.minMaxError(new double[] {0, 10, 4}, 1);
    assertEquals(5.0, mm.centres()[0]);
    assertEquals(5.0, mm.maxAbsError());
  }

  @Test
  void emptyInputGivesNoGroups() {
    assertEquals(0, ValueClustering.minSquaredError(new double[0], 4).groups());
    assertEquals(0, ValueClustering.fewestGroupsWithin(new double[0], 1).groups());
  }

  @Test
  void resultIsDeterministicAndIndependentOfInputOrder() {
    Random rnd = new Random(1);
    double[] x = new double[2000];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.exp(rnd.nextGaussian());
    }
    ValueClustering.Clustering a = ValueClustering.minSquaredError(x, 7);
    ValueClustering.Clustering b = ValueClustering.minSquaredError(x.clone(), 7);
    assertArrayEquals(a.centres(), b.centres());
    assertArrayEquals(a.assignment(), b.assignment());
    double[] reversed = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      reversed[i] = x[x.length - 1 - i];
    }
    ValueClustering.Clustering r = ValueClustering.minSquaredError(reversed, 7);
    assertArrayEquals(a.centres(), r.centres());
    for (int i = 0; i < x.length; i++) {
      assertEquals(a.assignment()[i], r.assignment()[x.length - 1 - i]);
    }
  }

  @Test
  void largePopulationRecoversSeparatedClusters() {
    Random rnd = new Random(9);
    int n = 100_000;
    int k = 32;
    double[] x = new double[n];
    int[] truth = new int[n];
    for (int i = 0; i < n; i++) {
      truth[i] = rnd.nextInt(k);
      x[i] = truth[i] * 100 + rnd.nextGaussian();
    }
    ValueClustering.Clustering c = ValueClustering.minSquaredError(x, k);
    assertEquals(k, c.groups());
    for (int i = 0; i < n; i++) {
      assertEquals(truth[i], c.assignment()[i]);
    }
    for (int g = 0; g < k; g++) {
      assertEquals(g * 100, c.centres()[g], 0.2);
    }
  }

  @Test
  void dpIsNoWorseThanNeighbouringGroupingsOnALargeInput() {
    // Where brute force is impossible: moving any boundary by one value must not lower the SSE.
    Random rnd = new Random(4);
    double[] x = new double[5000];
    for (int i = 0; i < x.length; i++) {
      x[i] = Math.log(1e-3 + rnd.nextDouble() * 0.05);
    }
    ValueClustering.Clustering c = ValueClustering.minSquaredError(x, 12);
    double[] sorted = x.clone();
    java.util.Arrays.sort(sorted);
    int[] bounds = new int[c.groups() + 1];
    int g = 0;
    for (int i = 0; i < sorted.length; i++) {
      // sorted values are distinct here (continuous draws), so groups are index runs
      int grp = nearestGroup(c, sorted[i]);
      if (grp != g) {
        bounds[++g] = i;
      }
    }
    bounds[c.groups()] = sorted.length;
    for (int b = 1; b < c.groups(); b++) {
      for (int delta : new int[] {-1, 1}) {
        int[] moved = bounds.clone();
        moved[b] += delta;
        assertTrue(runsSse(sorted, moved) >= c.sse() - 1e-9 * c.sse());
      }
    }
  }

  private static int nearestGroup(ValueClustering.Clustering c, double v) {
    int best = 0;
    for (int g = 1; g < c.groups(); g++) {
      if (Math.abs(v - c.centres()[g]) < Math.abs(v - c.centres()[best])) {
        best = g;
      }
    }
    return best;
  }

  private static double runsSse(double[] s, int[] bounds) {
    double total = 0;
    for (int g = 0; g + 1 < bounds.length; g++) {
      double mean = 0;
      for (int i = bounds[g]; i < bounds[g + 1]; i++) {
        mean += s[i];
      }
      mean /= bounds[g + 1] - bounds[g];
      for (int i = bounds[g]; i < bounds[g + 1]; i++) {
        total += (s[i] - mean) * (s[i] - mean);
      }
    }
    return total;
  }

  @Test
  void fewestGroupsWithinIsTheSmallestFeasibleK() {
    Random rnd = new Random(12);
    for (int trial = 0; trial < 200; trial++) {
      double[] x = randomValues(rnd, 1 + rnd.nextInt(30));
      double eps = rnd.nextDouble() * 3;
      ValueClustering.Clustering c = ValueClustering.fewestGroupsWithin(x, eps);
      assertTrue(c.maxAbsError() <= eps * (1 + 1e-12));
      if (c.groups() > 1) {
        assertTrue(ValueClustering.minMaxError(x, c.groups() - 1).maxAbsError() > eps);
      }
    }
  }

  @Test
  void relativeBoundUsesHarmonicCentres() {
    ValueClustering.Clustering c = ValueClustering.fewestGroupsWithinRelative(new double[] {1, 3}, 0.5);
    assertEquals(1, c.groups());
    assertEquals(1.5, c.centres()[0], 1e-12);
    assertEquals(0.5, c.maxRelError(), 1e-12);
    assertEquals(2, ValueClustering.fewestGroupsWithinRelative(new double[] {1, 3}, 0.49).groups());
  }

  @Test
  void relativeGroupingIsMinimalAndWithinBound() {
    Random rnd = new Random(21);
    for (int trial = 0; trial < 200; trial++) {
      int n = 1 + rnd.nextInt(25);
      double[] tau = new double[n];
      for (int i = 0; i < n; i++) {
        tau[i] = Math.exp(rnd.nextGaussian() * 1.5) * 1e-2;
      }
      double bound = 0.01 + rnd.nextDouble() * 0.3;
      ValueClustering.Clustering c = ValueClustering.fewestGroupsWithinRelative(tau, bound);
      assertTrue(c.maxRelError() <= bound * (1 + 1e-12));
      for (int i = 0; i < n; i++) {
        assertTrue(Math.abs(c.centreOf(i) - tau[i]) <= bound * tau[i] * (1 + 1e-12));
      }
      assertEquals(minimalRelativeGroups(tau, bound), c.groups());
    }
  }

  /** O(n^2) DP: fewest contiguous runs with (b - a) <= bound (a + b). */
  private static int minimalRelativeGroups(double[] values, double bound) {
    double[] s = java.util.Arrays.stream(values).distinct().sorted().toArray();
    int[] best = new int[s.length + 1];
    for (int j = 1; j <= s.length; j++) {
      best[j] = Integer.MAX_VALUE;
      for (int i = 0; i < j; i++) {
        if (s[j - 1] - s[i] <= bound * (s[i] + s[j - 1]) && best[i] != Integer.MAX_VALUE) {
          best[j] = Math.min(best[j], best[i] + 1);
        }
      }
    }
    return best[s.length];
  }

  @Test
  void badInputIsAQuenchException() {
    assertThrows(QuenchException.class, () -> ValueClustering.minSquaredError(new double[] {1}, 0));
    assertThrows(QuenchException.class,
        () -> ValueClustering.minSquaredError(new double[] {Double.NaN}, 2));
    assertThrows(QuenchException.class,
        () -> ValueClustering.minSquaredError(new double[] {1, 2}, new double[] {1, 0}, 2));
    assertThrows(QuenchException.class,
        () -> ValueClustering.fewestGroupsWithinRelative(new double[] {1, -2}, 0.1));
    assertThrows(QuenchException.class, () -> ValueClustering.fewestGroupsWithin(new double[] {1}, -1));
  }
}
