package org.quench.compiler.frontend.nir;

import org.quench.compiler.quant.Discretization;
import org.quench.hal.QuenchException;

/**
 * How to read a NIR graph's continuous-time model as a discrete network (NIR stores neither the
 * time step nor the reset rule, see docs/model-formats.md#time-step-and-discretization).
 *
 * @param dt the time step in seconds (finite, > 0); the NIR paper's files use 1e-4
 * @param resetMode what a spike does to v: {@link Reset#ZERO} (to v_reset, NIR's rule) or
 *     {@link Reset#SUBTRACT} (v loses the threshold, as networks trained with reset by subtraction)
 * @param discretization {@link Discretization.Convention#EXACT} (decay exp(-dt/tau), gain
 *     1 - exp(-dt/tau)) or {@link Discretization.Convention#FORWARD_EULER} (decay 1 - dt/tau, gain
 *     dt/tau: snnTorch's export, whose r = tau_mem/dt and w_in = tau_syn/dt then make every gain 1)
 * @param recurrenceDelay extra steps on recurrent projections beyond the chip's one-step lag
 *     (0 = a recurrent edge acts as the one-step delay NIR simulators give it); >= 0
 */
public record NirImportOptions(double dt, Reset resetMode, Discretization.Convention discretization,
    int recurrenceDelay) {
  /** The NIR paper's time step, seconds. */
  public static final double DEFAULT_DT = 1e-4;

  /** Reset rules a file cannot state. */
  public enum Reset { ZERO, SUBTRACT }

  public NirImportOptions {
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new QuenchException("NIR import: dt " + dt + " must be a finite number of seconds > 0"
          + " (the NIR paper's files use 1e-4)");
    }
    if (resetMode == null || discretization == null) {
      throw new QuenchException("NIR import: reset mode and discretization must be given");
    }
    if (recurrenceDelay < 0) {
      throw new QuenchException("NIR import: recurrenceDelay " + recurrenceDelay + " must be >= 0");
    }
  }

  /** dt = 1e-4 s, reset to zero, exact discretization, no extra recurrence delay. */
  public static NirImportOptions defaults() {
    return new NirImportOptions(DEFAULT_DT, Reset.ZERO, Discretization.Convention.EXACT, 0);
  }

  public NirImportOptions withDt(double seconds) {
    return new NirImportOptions(seconds, resetMode, discretization, recurrenceDelay);
  }

  public NirImportOptions withReset(Reset r) {
    return new NirImportOptions(dt, r, discretization, recurrenceDelay);
  }

  public NirImportOptions withDiscretization(Discretization.Convention c) {
    return new NirImportOptions(dt, resetMode, c, recurrenceDelay);
  }

  public NirImportOptions withRecurrenceDelay(int steps) {
    return new NirImportOptions(dt, resetMode, discretization, steps);
  }
}
