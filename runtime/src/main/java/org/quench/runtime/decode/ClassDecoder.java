package org.quench.runtime.decode;

/**
 * Reads a class label off an output port: the index of the winning output neuron. Ties go to the
 * lowest index; a port with no spike at all gives -1 (no decision).
 */
public enum ClassDecoder {
  /** The neuron with the most spikes. */
  COUNT {
    @Override
    public int decode(Outputs outputs, String port) {
      return argmax(outputs.counts(port));
    }
  },
  /** The neuron that spiked first. */
  FIRST_SPIKE {
    @Override
    public int decode(Outputs outputs, String port) {
      return earliest(outputs.firstSpikes(port));
    }
  };

  /** The decoded class, or -1 when the port never spiked. */
  public abstract int decode(Outputs outputs, String port);

  /** Index of the largest count (lowest index on ties), -1 when all are 0. */
  public static int argmax(int[] counts) {
    int best = -1;
    for (int i = 0; i < counts.length; i++) {
      if (counts[i] > 0 && (best < 0 || counts[i] > counts[best])) {
        best = i;
      }
    }
    return best;
  }

  /** Index of the earliest first spike (lowest index on ties), -1 when none spiked. */
  public static int earliest(int[] firstSpikes) {
    int best = -1;
    for (int i = 0; i < firstSpikes.length; i++) {
      if (firstSpikes[i] >= 0 && (best < 0 || firstSpikes[i] < firstSpikes[best])) {
        best = i;
      }
    }
    return best;
  }
}
