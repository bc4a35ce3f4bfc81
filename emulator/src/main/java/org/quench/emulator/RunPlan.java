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
    // Output taps: each records its neurons' spikes for one port (see TapOutput).
    TapOutput[] taps = new TapOutput[0];
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

    boolean isEmpty() {
      return biasPtr == null && hostPtr == null && taps.length == 0 && recTrace.length == 0;
    }

    void addTap(TapOutput tap) {
      taps = Arrays.copyOf(taps, taps.length + 1);
      taps[taps.length - 1] = tap;
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

    /** Called by the worker stepping the core, right after the neuron update of run step {@code k}. */
    void record(EmulatedCore core, int k, int parity) {
      for (TapOutput tap : taps) {
        tap.record(core, k, parity);
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

  /**
   * The spikes neurons {@code [first, first + count)} of one core send to an output port during
   * one run, recorded the way the port's result is laid out: port indices in step order, and for
   * each step with spikes its number and running total, so that gathering a port is block copies
   * rather than a sort. One int per spike (two when the core has ternary neurons, whose spikes
   * may be -1), written into blocks that are never copied while the run grows, plus two ints per
   * step that has spikes: a silent tap costs nothing however long the run.
   */
  static final class TapOutput {
    final int first;
    final int count;
    final int port;
    final int index;
    /** Steps with spikes, ascending, and the spikes recorded up to and including each. */
    int[] spikingSteps = new int[16];
    int[] spikesThrough = new int[16];
    int spikingStepCount;
    /** False when every spike of the core is +1: values are then not stored. */
    final boolean storesValues;
    private int[][] indexBlocks = new int[0][];
    private int[][] valueBlocks = new int[0][];
    private int[] indexBlock = new int[0];
    private int[] valueBlock = new int[0];
    private int fill;
    int total;

    TapOutput(int first, int count, int port, int index, boolean storesValues) {
      this.first = first;
      this.count = count;
      this.port = port;
      this.index = index;
      this.storesValues = storesValues;
    }

    /** Spikes block {@code b} holds: small first blocks for short runs, then 16k. */
    static int blockSize(int b) {
      return 256 << Math.min(b, 6);
    }

    /** Called by the worker stepping the core, right after the neuron update of run step {@code k}. */
    void record(EmulatedCore core, int k, int parity) {
      int lo = core.lowerBound(parity, first);
      int hi = core.lowerBound(parity, first + count);
      int[] idx = core.spikeIdx[parity];
      int[] val = core.spikeVal[parity];
      int shift = index - first;
      int s = lo;
      while (s < hi) {
        if (fill == indexBlock.length) {
          grow();
        }
        int m = Math.min(hi - s, indexBlock.length - fill);
        int[] out = indexBlock;
        for (int j = 0; j < m; j++) {
          out[fill + j] = idx[s + j] + shift;
        }
        if (storesValues) {
          System.arraycopy(val, s, valueBlock, fill, m);
        }
        fill += m;
        s += m;
      }
      if (hi > lo) {
        total += hi - lo;
        if (spikingStepCount == spikingSteps.length) {
          spikingSteps = Arrays.copyOf(spikingSteps, 2 * spikingStepCount);
          spikesThrough = Arrays.copyOf(spikesThrough, 2 * spikingStepCount);
        }
        spikingSteps[spikingStepCount] = k;
        spikesThrough[spikingStepCount] = total;
        spikingStepCount++;
      }
    }

    private void grow() {
      int b = indexBlocks.length;
      indexBlock = new int[blockSize(b)];
      indexBlocks = Arrays.copyOf(indexBlocks, b + 1);
      indexBlocks[b] = indexBlock;
      if (storesValues) {
        valueBlock = new int[blockSize(b)];
        valueBlocks = Arrays.copyOf(valueBlocks, b + 1);
        valueBlocks[b] = valueBlock;
      }
      fill = 0;
    }

    /** A reader of the recorded spikes, front to back. */
    Reader reader() {
      return new Reader();
    }

    /** Copies recorded spikes in order into a port's result arrays. */
    final class Reader {
      private int block;
      private int pos;

      /** Copies the next {@code m} spikes to {@code indices[at..]} and {@code values[at..]}. */
      void copy(int[] indices, int[] values, int at, int m) {
        while (m > 0) {
          int[] src = indexBlocks[block];
          int c = Math.min(m, src.length - pos);
          System.arraycopy(src, pos, indices, at, c);
          if (storesValues) {
            System.arraycopy(valueBlocks[block], pos, values, at, c);
          } else {
            Arrays.fill(values, at, at + c, 1);
          }
          at += c;
          m -= c;
          pos += c;
          if (pos == src.length) {
            block++;
            pos = 0;
          }
        }
      }
    }
  }
}
