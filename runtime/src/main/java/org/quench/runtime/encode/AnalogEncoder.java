package org.quench.runtime.encode;

/**
 * Turns an analog signal, {@code signal[step][channel]} in arbitrary units (each encoder says
 * which range it expects), into spike events on one input port. Deterministic: the same signal
 * and settings give the same spikes.
 */
public interface AnalogEncoder {
  /** Encodes {@code signal} (rows = steps, all rows the same width) onto {@code port}. */
  SpikeTrains encode(double[][] signal, String port);

  /** Width of the port this encoder drives for a signal of {@code channels} channels. */
  default int portWidth(int channels) {
    return channels;
  }

  /** Rows of equal width, at least one channel; returns the width. */
  static int checkSignal(double[][] signal) {
    if (signal.length == 0) {
      return 0;
    }
    int width = signal[0].length;
    for (int t = 0; t < signal.length; t++) {
      if (signal[t].length != width) {
        throw new org.quench.hal.QuenchException("analog signal row " + t + " has "
            + signal[t].length + " channels, row 0 has " + width);
      }
      for (int c = 0; c < width; c++) {
        if (!Double.isFinite(signal[t][c])) {
          throw new org.quench.hal.QuenchException("analog signal has a non-finite value "
              + signal[t][c] + " at step " + t + ", channel " + c);
        }
      }
    }
    return width;
  }
}
