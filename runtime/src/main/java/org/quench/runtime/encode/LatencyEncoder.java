package org.quench.runtime.encode;

import org.quench.hal.QuenchException;

/**
 * Time-to-first-spike coding: the signal is cut into windows of {@code window} steps; in each
 * window every channel spikes once, at step {@code round((1 - x) * (window - 1))} of the window,
 * where {@code x = clamp(signal, 0, 1)} is read at the window's first step. Stronger input spikes
 * earlier (x = 1 at the window's first step, x near 0 at its last); {@code x <= 0} never spikes.
 */
public final class LatencyEncoder implements AnalogEncoder {
  private final int window;

  /** @param window steps per window (at least 1) */
  public LatencyEncoder(int window) {
    if (window < 1) {
      throw new QuenchException("latency encoder: window " + window + " must be at least 1 step");
    }
    this.window = window;
  }

  /** The spike step within a window for intensity {@code x}, or -1 for none. */
  public int latency(double x) {
    if (!(x > 0)) {
      return -1;
    }
    return (int) Math.round((1 - Math.min(1, x)) * (window - 1));
  }

  @Override
  public SpikeTrains encode(double[][] signal, String port) {
    int width = AnalogEncoder.checkSignal(signal);
    SpikeTrains.Builder b = SpikeTrains.builder(signal.length).port(port, Math.max(width, 1));
    for (int start = 0; start < signal.length; start += window) {
      for (int c = 0; c < width; c++) {
        int lag = latency(signal[start][c]);
        if (lag >= 0 && start + lag < signal.length) {
          b.spike(start + lag, port, c);
        }
      }
    }
    return b.build();
  }
}
