package org.quench.runtime.encode;

import org.quench.hal.QuenchException;

/**
 * Level-crossing coding with ON/OFF channels: channel {@code c} of the signal drives port indices
 * {@code 2c} (ON, the signal rose) and {@code 2c + 1} (OFF, it fell), so the port is twice as wide
 * as the signal. At most one spike per step and channel.
 *
 * <ul>
 *   <li>{@link Mode#DELTA}: spike when the signal has moved at least {@code threshold} from the
 *       value at the last spike (or from the first sample); the reference jumps to the signal.</li>
 *   <li>{@link Mode#SIGMA_DELTA}: the reference moves by exactly {@code threshold} per spike, so the
 *       running sum of ON minus OFF spikes times {@code threshold} tracks the signal within one
 *       threshold for slow signals and the error never accumulates.</li>
 * </ul>
 */
public final class DeltaEncoder implements AnalogEncoder {
  /** How the reference follows the signal after a spike. */
  public enum Mode { DELTA, SIGMA_DELTA }

  private final double threshold;
  private final Mode mode;

  /** @param threshold level step in signal units (> 0) */
  public DeltaEncoder(double threshold, Mode mode) {
    if (!(threshold > 0) || Double.isInfinite(threshold)) {
      throw new QuenchException("delta encoder: threshold " + threshold + " must be positive");
    }
    this.threshold = threshold;
    this.mode = mode;
  }

  @Override
  public int portWidth(int channels) {
    return 2 * channels;
  }

  @Override
  public SpikeTrains encode(double[][] signal, String port) {
    int width = AnalogEncoder.checkSignal(signal);
    SpikeTrains.Builder b = SpikeTrains.builder(signal.length).port(port, Math.max(2 * width, 1));
    if (signal.length == 0) {
      return b.build();
    }
    double[] reference = signal[0].clone();
    for (int t = 1; t < signal.length; t++) {
      for (int c = 0; c < width; c++) {
        double diff = signal[t][c] - reference[c];
        if (Math.abs(diff) < threshold) {
          continue;
        }
        b.spike(t, port, diff > 0 ? 2 * c : 2 * c + 1);
        reference[c] = mode == Mode.DELTA ? signal[t][c]
            : reference[c] + Math.copySign(threshold, diff);
      }
    }
    return b.build();
  }
}
