package org.quench.emulator;

import java.util.Arrays;
import org.quench.hal.proto.AxonGroup;
import org.quench.hal.proto.ConnectionKind;
import org.quench.hal.proto.Core;

/**
 * A core's synapse memory, packed for the step loop: one CSR over the core's input axons (rows in
 * axon order, whatever group they belong to), one int word per synapse, and per group how its
 * summed activation enters the delay line.
 *
 * <p>A word holds, from the low bits: the target neuron ({@code targetBits}), the delay
 * ({@code delayBits}) and the prepared weight (the remaining high bits, signed). When some weight
 * does not fit there (large CONV weights), words hold target and delay only and the weights sit in
 * {@link #wideWeights}. A word's low bits ({@link #cellMask}) are its (delay, target) cell; the
 * core adds the step's rotation to them, masked, to find the cell of the delay line and of the
 * deferred-sum scratch, which share that layout.
 */
final class SynapseMemory {
  /** Exponent >= 0: each product is shifted, and the sum modulo 2^32 is exact. */
  static final int FOLD = 0;
  /** Exponent < 0: the per-(delay, target) sum is floor-shifted. */
  static final int FLOOR = 1;
  /** CONV: the per-(delay, target) sum wraps to the state width. */
  static final int WRAP = 2;

  /** One past the highest axon that belongs to a group. */
  final int axonSpan;
  final int[] rowPtr;
  /** Group of each axon below axonSpan, -1 where none. */
  final int[] groupOfAxon;
  final int[] words;
  /** Weights by synapse when they do not fit the words; null otherwise. */
  final int[] wideWeights;
  final int delayShift;
  final int delayMask;
  final int weightShift;
  final int cellMask;
  final int[] groupMode;
  final int[] groupExp;
  final boolean[] groupGraded;
  final int[] groupMessageBits;
  final String[] groupName;
  final long synapseCount;
  /** Deferred-sum scratch cells needed: 0 when every group is FOLD. */
  final int scratchSize;

  /**
   * Packs the axon groups of validated core {@code c} with {@code n} neurons, using
   * {@code weights[g][s]} (prepared, see {@link CoreParameters#weights}) as synapse s of group g.
   */
  SynapseMemory(Core c, int n, int[][] weights) {
    int groups = c.getAxonGroupsCount();
    int span = 0;
    long total = 0;
    int maxD = 0;
    for (int g = 0; g < groups; g++) {
      AxonGroup ag = c.getAxonGroups(g);
      span = Math.max(span, ag.getAxonFirst() + ag.getAxonCount());
      total += ag.getTargetCount();
      for (int s = 0; s < ag.getDelayCount(); s++) {
        maxD = Math.max(maxD, ag.getDelay(s));
      }
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("core holds " + total + " synapses, more than one array can");
    }
    axonSpan = span;
    synapseCount = total;
    groupOfAxon = new int[span];
    Arrays.fill(groupOfAxon, -1);
    groupMode = new int[groups];
    groupExp = new int[groups];
    groupGraded = new boolean[groups];
    groupMessageBits = new int[groups];
    groupName = new String[groups];
    int targetBits = bitsFor(Math.max(n - 1, 0));
    int delayBits = bitsFor(maxD);
    delayShift = targetBits;
    delayMask = (1 << delayBits) - 1;
    weightShift = targetBits + delayBits;
    cellMask = (1 << weightShift) - 1;
    int weightBits = 32 - weightShift;
    int wMin = -(1 << (weightBits - 1));
    int wMax = (1 << (weightBits - 1)) - 1;

    // Rows of each axon in group order first; then laid out in axon order.
    int[] rowLen = new int[span];
    int[] rowGroup = new int[span];
    int[] rowFirst = new int[span];
    boolean needScratch = false;
    boolean fits = true;
    for (int g = 0; g < groups; g++) {
      AxonGroup ag = c.getAxonGroups(g);
      groupName[g] = ag.getName();
      groupMessageBits[g] = ag.getNumMessageBits();
      groupGraded[g] = ag.getNumMessageBits() > 0;
      if (ag.getKind() == ConnectionKind.CONV) {
        groupMode[g] = WRAP;
      } else {
        groupExp[g] = ag.getWeightExp();
        groupMode[g] = ag.getWeightExp() >= 0 ? FOLD : FLOOR;
      }
      needScratch |= groupMode[g] != FOLD;
      for (int w : weights[g]) {
        fits &= w >= wMin && w <= wMax;
      }
      for (int a = 0; a < ag.getAxonCount(); a++) {
        int axon = ag.getAxonFirst() + a;
        if (groupOfAxon[axon] >= 0) {
          throw new IllegalStateException("axon " + axon + " in two groups: validate the image first");
        }
        groupOfAxon[axon] = g;
        rowLen[axon] = ag.getRowPtr(a + 1) - ag.getRowPtr(a);
        rowGroup[axon] = g;
        rowFirst[axon] = ag.getRowPtr(a);
      }
    }
    rowPtr = new int[span + 1];
    for (int a = 0; a < span; a++) {
      rowPtr[a + 1] = rowPtr[a] + rowLen[a];
    }
    words = new int[(int) total];
    wideWeights = fits ? null : new int[(int) total];
    for (int a = 0; a < span; a++) {
      if (rowLen[a] == 0) {
        continue;
      }
      AxonGroup ag = c.getAxonGroups(rowGroup[a]);
      int[] w = weights[rowGroup[a]];
      boolean delays = ag.getDelayCount() != 0;
      for (int k = 0; k < rowLen[a]; k++) {
        int src = rowFirst[a] + k;
        int dst = rowPtr[a] + k;
        int target = ag.getTarget(src);
        if (target < 0 || target >= n) {
          throw new IllegalStateException("synapse target " + target + " outside " + n
              + " neurons: validate the image first");
        }
        int word = target | ((delays ? ag.getDelay(src) : 0) << delayShift);
        if (fits) {
          word |= w[src] << weightShift;
        } else {
          wideWeights[dst] = w[src];
        }
        words[dst] = word;
      }
    }
    scratchSize = needScratch ? 1 << weightShift : 0;
  }

  private static int bitsFor(int max) {
    return max <= 0 ? 0 : 32 - Integer.numberOfLeadingZeros(max);
  }
}
