package org.quench.emulator;

import java.util.Arrays;

/**
 * What one run needs per core, prepared by the device before the workers start and read-only
 * while they run (apart from each core's own output buffer and trace columns): host events and
 * bias overrides bucketed by step, output taps and probe samples.
 */
final class RunPlan {
  private RunPlan() {}

  /** One core's share of a run. Arrays indexed by step are CSR over the run's steps. */
  static final class CorePlan {
    // Bias overrides: entries biasPtr[k]..biasPtr[k+1] apply at the start of run step k.
    int[] biasPtr;
    int[] biasNeuron;
    int[] biasValue;
    // Host events routed in phase 2 of run step k.
    int[] hostPtr;
    int[] hostAxon;
    int[] hostValue;
    // Output taps: neurons [tapFirst, tapFirst + tapCount) report to port tapPort at index
    // tapIndex + (neuron - tapFirst).
    int[] tapFirst = new int[0];
    int[] tapCount = new int[0];
    int[] tapPort = new int[0];
    int[] tapIndex = new int[0];
    // Output events produced by this core in this run, four ints each (step, port, index, value),
    // in blocks that are never copied: block b holds up to blockEvents(b) events, all full but the
    // last. Growing one array by doubling copied every event about twice and cost more than the
    // steps themselves on ports that spike every step.
    int outCount;
    int[][] outBlocks = new int[0][];
    private int lastFill;
    // Probe samples: trace[recTrace][k * recWidth + recColumn] = variable of recNeuron.
    int[][] traces = new int[0][];
    int[] recTrace = new int[0];
    int[] recWidth = new int[0];
    int[] recColumn = new int[0];
    int[] recNeuron = new int[0];
    int[] recKind = new int[0];

    static final int KIND_U = 0;
    static final int KIND_V = 1;
    static final int KIND_SPIKES = 2;

    /** Events block {@code b} holds: small first blocks for short runs, then 16k events. */
    static int blockEvents(int b) {
      return 256 << Math.min(b, 6);
    }

    /** Events stored in block {@code b}. */
    int blockCount(int b) {
      return b < outBlocks.length - 1 ? outBlocks[b].length / 4 : lastFill / 4;
    }

    boolean isEmpty() {
      return biasPtr == null && hostPtr == null && tapFirst.length == 0 && recTrace.length == 0;
    }

    void addTap(int first, int count, int port, int index) {
      int k = tapFirst.length;
      tapFirst = Arrays.copyOf(tapFirst, k + 1);
      tapCount = Arrays.copyOf(tapCount, k + 1);
      tapPort = Arrays.copyOf(tapPort, k + 1);
      tapIndex = Arrays.copyOf(tapIndex, k + 1);
      tapFirst[k] = first;
      tapCount[k] = count;
      tapPort[k] = port;
      tapIndex[k] = index;
    }

    void addSample(int trace, int width, int column, int neuron, int kind) {
      int k = recTrace.length;
      recTrace = Arrays.copyOf(recTrace, k + 1);
      recWidth = Arrays.copyOf(recWidth, k + 1);
      recColumn = Arrays.copyOf(recColumn, k + 1);
      recNeuron = Arrays.copyOf(recNeuron, k + 1);
      recKind = Arrays.copyOf(recKind, k + 1);
      recTrace[k] = trace;
      recWidth[k] = width;
      recColumn[k] = column;
      recNeuron[k] = neuron;
      recKind[k] = kind;
    }

    /** Called by the core's owner right after the neuron update of run step {@code k}. */
    void record(EmulatedCore core, int k, int parity) {
      for (int t = 0; t < tapFirst.length; t++) {
        int lo = core.lowerBound(parity, tapFirst[t]);
        int hi = core.lowerBound(parity, tapFirst[t] + tapCount[t]);
        int[] idx = core.spikeIdx[parity];
        int[] val = core.spikeVal[parity];
        int port = tapPort[t];
        int shift = tapIndex[t] - tapFirst[t];
        for (int s = lo; s < hi; s++) {
          int b = outBlocks.length - 1;
          if (b < 0 || lastFill == outBlocks[b].length) {
            outBlocks = Arrays.copyOf(outBlocks, b + 2);
            outBlocks[++b] = new int[4 * blockEvents(b)];
            lastFill = 0;
          }
          int[] block = outBlocks[b];
          block[lastFill] = k;
          block[lastFill + 1] = port;
          block[lastFill + 2] = idx[s] + shift;
          block[lastFill + 3] = val[s];
          lastFill += 4;
          outCount++;
        }
      }
      for (int r = 0; r < recTrace.length; r++) {
        int neuron = recNeuron[r];
        int value;
        switch (recKind[r]) {
          case KIND_U:
            value = core.u[neuron];
            break;
          case KIND_V:
            value = core.v[neuron];
            break;
          default:
            value = core.spikeOf(parity, neuron);
        }
        traces[recTrace[r]][k * recWidth[r] + recColumn[r]] = value;
      }
    }
  }
}
