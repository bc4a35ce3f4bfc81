package org.quench.runtime.encode;

import java.util.SplittableRandom;
import org.quench.hal.QuenchException;

/**
 * Poisson (Bernoulli per step) rate coding: at each step, channel {@code c} spikes with
 * probability {@code clamp(x, 0, 1) * maxRate}, where {@code x} is the signal (expected in
 * [0, 1]) and {@code maxRate} is in spikes per step (0, 1].
 *
 * <p>Seeded: the draw for (step, channel) comes from a generator seeded by the seed and the step,
 * so the same seed always gives the same spikes, whatever the signal's length.
 */
public final class RateEncoder implements AnalogEncoder {
  private final double maxRate;
  private final long seed;

  /**
   * @param maxRate spikes per step at full intensity, in (0, 1]
   * @param seed generator seed
   */
  public RateEncoder(double maxRate, long seed) {
    if (!(maxRate > 0 && maxRate <= 1)) {
      throw new QuenchException("rate encoder: max rate " + maxRate
          + " spikes/step is outside (0, 1]");
    }
    this.maxRate = maxRate;
    this.seed = seed;
  }

  @Override
  public SpikeTrains encode(double[][] signal, String port) {
    int width = AnalogEncoder.checkSignal(signal);
    SpikeTrains.Builder b = SpikeTrains.builder(signal.length).port(port, Math.max(width, 1));
    for (int t = 0; t < signal.length; t++) {
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + t);
      for (int c = 0; c < width; c++) {
        double p = Math.min(1, Math.max(0, signal[t][c])) * maxRate;
        if (random.nextDouble() < p) {
          b.spike(t, port, c);
        }
      }
    }
    return b.build();
  }
}
