package org.quench.compiler.quant;

import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Continuous time constants to the chip's integer decays at a time step {@code dt}, and back.
 *
 * <p>The chip keeps a fraction of its state each step
 * (docs/chip-semantics.md#current-and-voltage-decay), with {@code U = decayUnity} (4096 on Loihi):
 * <ul>
 *   <li>current: {@code u' = u * (U - (du + 1)) / U}, so the kept fraction is
 *       {@code (U - 1 - du) / U}; {@code du = -1} keeps everything (no decay) and
 *       {@code du = U - 1} keeps nothing. Range {@code -1..U-1}.</li>
 *   <li>voltage: {@code v' = v * (U - dv) / U}; {@code dv = 0} is no decay, {@code dv = U} keeps
 *       nothing (accepted by the ChipImage, as lava-dl uses it). Range {@code 0..U}.</li>
 * </ul>
 * A time constant becomes a kept fraction {@code f} by one of two {@link Convention}s, and the
 * decay is the nearest representable fraction: {@code dv = round(U (1 - f))},
 * {@code du = round(U (1 - f)) - 1} (round half up). A fraction outside {@code [0, 1]} (forward
 * Euler with {@code dt > tau}) is clamped to 0 and reported. Times are in any one unit (seconds,
 * steps) shared by {@code tau} and {@code dt}; {@code tau = +infinity} means no decay.
 */
public final class Discretization {
  private Discretization() {}

  /** How a continuous decay {@code exp(-t/tau)} becomes a per-step kept fraction. */
  public enum Convention {
    /** {@code f = exp(-dt/tau)}: the discrete system matches the continuous one at the steps. */
    EXACT,
    /** {@code f = 1 - dt/tau}: forward Euler, as snnTorch's NIR export assumes (beta). */
    FORWARD_EULER
  }

  /** Which state variable a decay applies to (they differ by the chip's {@code du + 1} rule). */
  public enum Variable {
    /** Synaptic current {@code u}, decay {@code du}. */
    CURRENT,
    /** Membrane voltage {@code v}, decay {@code dv}. */
    VOLTAGE
  }

  /**
   * One time constant as the chip realises it.
   *
   * @param decay the chip value ({@code du} or {@code dv})
   * @param requestedTau the time constant asked for
   * @param requestedFactor the kept fraction per step the convention asks for (may lie outside
   *     {@code [0, 1]} for forward Euler)
   * @param realisedFactor the kept fraction the chip applies
   * @param realisedTau the time constant that fraction means under the same convention
   * @param tauRelError {@code (realisedTau - requestedTau) / requestedTau}; 0 when both are
   *     infinite or both 0
   * @param clamped whether the requested fraction lay outside what the chip can do
   */
  public record Decay(int decay, double requestedTau, double requestedFactor, double realisedFactor,
      double realisedTau, double tauRelError, boolean clamped) {}

  /**
   * Time constants of a population as the chip realises them.
   *
   * @param decays the chip value per neuron
   * @param realisedTau per neuron
   * @param maxAbsTauRelError the largest {@code |tauRelError|}
   * @param worstNeuron the index where it occurs (-1 if empty)
   * @param clampedCount neurons whose requested fraction the chip could not represent
   */
  public record Decays(int[] decays, double[] realisedTau, double maxAbsTauRelError,
      int worstNeuron, int clampedCount) {}

  /** The kept fraction per step for {@code tau} at {@code dt} (not clamped). */
  public static double factor(double tau, double dt, Convention convention) {
    checkDt(dt);
    checkTau(tau);
    if (tau == Double.POSITIVE_INFINITY) {
      return 1.0;
    }
    double x = dt / tau; // +infinity for tau = 0
    return convention == Convention.EXACT ? Math.exp(-x) : 1.0 - x;
  }

  /** The chip decay ({@code du} or {@code dv}) for {@code tau}, with the realised values. */
  public static Decay decay(Variable variable, double tau, double dt, Convention convention,
      ChipSpec spec) {
    double f = factor(tau, dt, convention);
    boolean clamped = f < 0 || f > 1;
    double fc = Math.min(1.0, Math.max(0.0, f));
    int unity = spec.decayUnity();
    int keptLoss = (int) Math.floor(unity * (1.0 - fc) + 0.5); // 0..unity
    int value = variable == Variable.CURRENT ? keptLoss - 1 : keptLoss;
    double realisedFactor = keptFraction(variable, value, spec);
    double realisedTau = tauOfFactor(realisedFactor, dt, convention);
    return new Decay(value, tau, f, realisedFactor, realisedTau, relError(realisedTau, tau),
        clamped);
  }

  /** {@link #decay} for {@link Variable#CURRENT}: {@code du}. */
  public static Decay currentDecay(double tau, double dt, Convention convention, ChipSpec spec) {
    return decay(Variable.CURRENT, tau, dt, convention, spec);
  }

  /** {@link #decay} for {@link Variable#VOLTAGE}: {@code dv}. */
  public static Decay voltageDecay(double tau, double dt, Convention convention, ChipSpec spec) {
    return decay(Variable.VOLTAGE, tau, dt, convention, spec);
  }

  /** {@link #decay} for every neuron of a population. */
  public static Decays decays(Variable variable, double[] tau, double dt, Convention convention,
      ChipSpec spec) {
    int[] values = new int[tau.length];
    double[] realised = new double[tau.length];
    double worst = 0;
    int worstNeuron = tau.length > 0 ? 0 : -1;
    int clamped = 0;
    for (int i = 0; i < tau.length; i++) {
      Decay d;
      try {
        d = decay(variable, tau[i], dt, convention, spec);
      } catch (QuenchException e) {
        throw new QuenchException("neuron " + i + ": " + e.getMessage());
      }
      values[i] = d.decay();
      realised[i] = d.realisedTau();
      double err = Math.abs(d.tauRelError());
      if (err > worst) {
        worst = err;
        worstNeuron = i;
      }
      if (d.clamped()) {
        clamped++;
      }
    }
    return new Decays(values, realised, worst, worstNeuron, clamped);
  }

  /**
   * The fraction of the state the chip keeps per step for a decay value: current
   * {@code (U - 1 - du) / U}, voltage {@code (U - dv) / U}.
   *
   * @throws QuenchException when the value is outside {@code -1..U-1} (du) or {@code 0..U} (dv)
   */
  public static double keptFraction(Variable variable, int decay, ChipSpec spec) {
    int unity = spec.decayUnity();
    if (variable == Variable.CURRENT) {
      if (decay < -1 || decay > unity - 1) {
        throw new QuenchException("current decay du " + decay + " is outside -1.." + (unity - 1));
      }
      return (unity - 1 - decay) / (double) unity;
    }
    if (decay < 0 || decay > unity) {
      throw new QuenchException("voltage decay dv " + decay + " is outside 0.." + unity);
    }
    return (unity - decay) / (double) unity;
  }

  /** The time constant a chip decay value realises under a convention (inverse of {@link #decay}). */
  public static double realisedTau(Variable variable, int decay, double dt, Convention convention,
      ChipSpec spec) {
    checkDt(dt);
    return tauOfFactor(keptFraction(variable, decay, spec), dt, convention);
  }

  /** {@code tau} for a kept fraction {@code f} in {@code [0, 1]}: 1 is infinite, 0 is 0 (exact). */
  static double tauOfFactor(double f, double dt, Convention convention) {
    if (f >= 1.0) {
      return Double.POSITIVE_INFINITY;
    }
    if (convention == Convention.EXACT) {
      return f <= 0 ? 0.0 : -dt / Math.log(f);
    }
    return dt / (1.0 - f);
  }

  private static double relError(double realised, double requested) {
    if (realised == requested) {
      return 0.0; // covers both infinite and both zero
    }
    if (requested == 0 || Double.isInfinite(requested)) {
      return Double.POSITIVE_INFINITY;
    }
    return (realised - requested) / requested;
  }

  private static void checkDt(double dt) {
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new QuenchException("time step dt " + dt + " must be finite and > 0");
    }
  }

  private static void checkTau(double tau) {
    if (Double.isNaN(tau) || tau < 0) {
      throw new QuenchException("time constant " + tau
          + " must be >= 0 (or infinite for no decay): fix the model's tau");
    }
  }
}
