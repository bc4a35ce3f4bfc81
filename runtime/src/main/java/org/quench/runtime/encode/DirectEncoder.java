package org.quench.runtime.encode;

import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Direct graded input: every step and channel becomes the integer payload
 * {@code round(x * scale)}, clipped to the unsigned range of {@code bits} bits
 * {@code [0, 2^bits - 1]} (payload 0 sends nothing), for ports whose projections take graded
 * spikes ({@code num_message_bits = bits}). {@link #bias} instead turns the signal into per-step
 * bias mantissas of a population, clipped to the chip's {@link ChipSpec#biasMantRange()}
 * ({@code [-4096, 4095]} on Loihi), which is how netx networks take images.
 */
public final class DirectEncoder implements AnalogEncoder {
  private final double scale;
  private final int bits;

  /**
   * @param scale payload units per signal unit
   * @param bits payload width, 1..24
   */
  public DirectEncoder(double scale, int bits) {
    if (!Double.isFinite(scale)) {
      throw new QuenchException("direct encoder: scale " + scale + " is not finite");
    }
    if (bits < 1 || bits > 24) {
      throw new QuenchException("direct encoder: payload width " + bits + " bits is outside 1..24");
    }
    this.scale = scale;
    this.bits = bits;
  }

  /** The payload for signal value {@code x}. */
  public int payload(double x) {
    long v = Math.round(x * scale);
    return (int) Math.max(0, Math.min((1L << bits) - 1, v));
  }

  @Override
  public SpikeTrains encode(double[][] signal, String port) {
    int width = AnalogEncoder.checkSignal(signal);
    SpikeTrains.Builder b = SpikeTrains.builder(signal.length).port(port, Math.max(width, 1));
    for (int t = 0; t < signal.length; t++) {
      for (int c = 0; c < width; c++) {
        b.payload(t, port, c, payload(signal[t][c]));
      }
    }
    return b.build();
  }

  /**
   * The signal as per-step bias mantissas of {@code population} (rows = steps, one per neuron),
   * clipped to {@code spec}'s bias mantissa range.
   */
  public SpikeTrains bias(double[][] signal, String population, ChipSpec spec) {
    ChipSpec.Range mantissas = spec.biasMantRange();
    AnalogEncoder.checkSignal(signal);
    int[][] rows = new int[signal.length][];
    for (int t = 0; t < signal.length; t++) {
      rows[t] = new int[signal[t].length];
      for (int c = 0; c < rows[t].length; c++) {
        long v = Math.round(signal[t][c] * scale);
        rows[t][c] = mantissas.clamp(v);
      }
    }
    return SpikeTrains.builder(signal.length).biasPerStep(population, rows).build();
  }
}
