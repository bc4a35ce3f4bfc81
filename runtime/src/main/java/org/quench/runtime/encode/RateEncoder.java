package org.quench.runtime.encode;

import java.util.SplittableRandom;
import java.util.function.LongFunction;
import org.quench.hal.QuenchException;
import org.quench.hal.Stimulus;
import org.quench.runtime.session.InputSource;

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
      SplittableRandom random = random(t);
      for (int c = 0; c < width; c++) {
        if (fires(random, signal[t][c])) {
          b.spike(t, port, c);
        }
      }
    }
    return b.build();
  }

  /**
   * The same coding as an endless input source that encodes each chunk when asked, for runs too
   * long to hold: {@code signal.apply(step)} gives the intensities of one step ({@code channels}
   * values). Gives exactly the spikes {@link #encode} gives for the same values.
   */
  public InputSource stream(String port, int channels, LongFunction<double[]> signal) {
    return (first, steps) -> {
      Stimulus.Builder b = Stimulus.builder(steps);
      for (int k = 0; k < steps; k++) {
        double[] x = signal.apply(first + k);
        if (x.length != channels) {
          throw new QuenchException("rate encoder: the signal has " + x.length + " channels at step "
              + (first + k) + ", expected " + channels);
        }
        SplittableRandom random = random(first + k);
        for (int c = 0; c < channels; c++) {
          if (fires(random, x[c])) {
            b.spike(k, port, c);
          }
        }
      }
      return b.build();
    };
  }

  private SplittableRandom random(long step) {
    return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + step);
  }

  private boolean fires(SplittableRandom random, double x) {
    // Draw for every channel, even silent ones, so channel c's draw never depends on others.
    return random.nextDouble() < Math.min(1, Math.max(0, x)) * maxRate;
  }
}
