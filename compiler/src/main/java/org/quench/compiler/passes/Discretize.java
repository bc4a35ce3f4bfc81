package org.quench.compiler.passes;

import org.quench.compiler.CompileReport;
import org.quench.compiler.ir.DiscreteNeurons;
import org.quench.compiler.ir.FloatNeurons;
import org.quench.compiler.ir.Network;
import org.quench.compiler.ir.Population;
import org.quench.compiler.ir.ResetMode;
import org.quench.compiler.quant.Discretization;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

/**
 * Continuous-time neurons ({@link FloatNeurons}) to per-step decays and gains at a time step
 * ({@link DiscreteNeurons}); other populations pass through unchanged.
 *
 * <p>Per neuron, with {@code k(tau)} the per-step input gain of a first-order filter under the
 * convention ({@code dt/tau} forward Euler, {@code 1 - exp(-dt/tau)} exact):
 * <ul>
 *   <li>decays: {@code du} for tau_syn and {@code dv} for tau_mem by {@link Discretization} (the
 *       nearest chip decay); tau_syn = 0 keeps nothing of u (du = unity - 1), tau_mem = infinity
 *       keeps all of v (dv = 0), tau_mem = 0 keeps nothing (dv = unity);</li>
 *   <li>gain from weighted input to v: {@code k(tau_syn) * r * k(tau_mem)}, where a missing
 *       filter (tau_syn = 0) has gain 1 and an integrator or memoryless v (tau_mem infinite or 0)
 *       has gain {@code r}. NIR's {@code w_in} was already folded into the weights by the importer,
 *       so the synaptic gain is {@code w_in * k(tau_syn)}: with snnTorch's export
 *       ({@code w_in = tau_syn/dt}, {@code r = tau_mem/dt}) and forward Euler every gain is exactly
 *       1, snnTorch's own discrete model; under EXACT the gains are the zero-order-hold ones;</li>
 *   <li>bias per step: {@code r * k(tau_mem) * b + k(tau_mem) * v_leak}, with {@code b} the constant
 *       input current. The chip adds it to v directly; for a current-based neuron the model routes
 *       b through the synaptic filter, so the two agree at steady state (the first ~tau_syn/dt
 *       steps differ);</li>
 *   <li>a non-zero {@code v_reset} with reset to zero becomes a voltage offset (v measured from
 *       v_reset: threshold - v_reset, leak v_leak - v_reset, starting voltage -v_reset), which the
 *       chip's reset to 0 then realises exactly; with reset by subtraction v_reset has no role.</li>
 * </ul>
 * The realised time constants' relative errors go to the report.
 */
public final class Discretize implements NetworkPass {
  private final double dt;
  private final Discretization.Convention convention;

  /** At {@code dt} seconds per step under {@code convention}. */
  public Discretize(double dt, Discretization.Convention convention) {
    if (!(dt > 0) || Double.isInfinite(dt)) {
      throw new QuenchException("discretize: dt " + dt + " must be a finite number of seconds > 0");
    }
    this.dt = dt;
    this.convention = convention;
  }

  @Override
  public String name() {
    return "discretize";
  }

  @Override
  public Network apply(Network network, PassContext context) {
    Network.Builder out = network.toBuilder();
    int count = 0;
    for (Population p : network.populations()) {
      if (p.dynamics() instanceof FloatNeurons f) {
        out.replacePopulation(p.withDynamics(discretize(p.name(), f, context)));
        count++;
      }
    }
    if (count > 0) {
      // A network that is fixed point from the start (netx) counts time in chip steps only.
      context.report().dt(dt, convention.name());
    }
    context.report().decision("discretize: " + count + " population(s) at dt " + dt + " s, "
        + convention + " convention");
    return out.build();
  }

  DiscreteNeurons discretize(String name, FloatNeurons f, PassContext context) {
    ChipSpec spec = context.spec();
    int n = f.size();
    int unity = spec.decayUnity();
    double[] tauSyn = f.tauSyn();
    double[] tauMem = f.tauMem();
    double[] th = f.threshold();
    double[] b = f.bias();
    double[] vLeak = f.vLeak();
    double[] vReset = f.vReset();
    double[] r = f.r();
    ResetMode[] mode = f.resetMode();
    int[] du = new int[n];
    int[] dv = new int[n];
    double[] gain = new double[n];
    double[] bias = new double[n];
    double[] threshold = new double[n];
    double[] vInit = new double[n];
    double[] synErr = new double[n];
    double[] memErr = new double[n];
    int clamped = 0;
    int offsets = 0;
    double[] voltageOffset = voltageOffsets(f);
    for (int i = 0; i < n; i++) {
      double gs;
      if (tauSyn[i] == 0) {
        du[i] = unity - 1;
        gs = 1;
      } else {
        Discretization.Decay d = Discretization.currentDecay(tauSyn[i], dt, convention, spec);
        du[i] = d.decay();
        synErr[i] = Math.abs(d.tauRelError());
        clamped += d.clamped() ? 1 : 0;
        gs = k(tauSyn[i]);
      }
      double km;
      double gm;
      if (tauMem[i] == Double.POSITIVE_INFINITY) {
        dv[i] = 0;
        km = 0;
        gm = r[i];
      } else if (tauMem[i] == 0) {
        dv[i] = unity;
        km = 1;
        gm = r[i];
      } else {
        Discretization.Decay d = Discretization.voltageDecay(tauMem[i], dt, convention, spec);
        dv[i] = d.decay();
        memErr[i] = Math.abs(d.tauRelError());
        clamped += d.clamped() ? 1 : 0;
        km = k(tauMem[i]);
        gm = r[i] * km;
      }
      gain[i] = gs * gm;
      bias[i] = gm * b[i] + km * vLeak[i];
      threshold[i] = th[i];
      if (voltageOffset[i] != 0) {
        threshold[i] = th[i] - vReset[i];
        bias[i] -= km * vReset[i];
        vInit[i] = -vReset[i];
        offsets++;
        if (!(threshold[i] > 0)) {
          throw new QuenchException("population '" + name + "' neuron " + i + ": v_reset "
              + vReset[i] + " is not below the threshold " + th[i] + "; the chip resets v to 0 and"
              + " measures v from v_reset, which needs threshold > v_reset: fix the model, or import"
              + " with reset mode SUBTRACT if it was trained with reset by subtraction");
        }
      }
    }
    CompileReport.Builder report = context.report();
    warnIfDtTooLong(name, tauSyn, tauMem, synErr, memErr, report);
    report.tauErrors(name, CompileReport.ErrorStats.of(onlyFinite(tauSyn, synErr)),
        CompileReport.ErrorStats.of(onlyFinite(tauMem, memErr)));
    if (clamped > 0) {
      report.warning("population '" + name + "': " + clamped + " time constant(s) shorter than dt "
          + dt + " s under " + convention + " (decay factor below 0) were clamped to no memory;"
          + " use a smaller dt or the EXACT convention");
    }
    if (offsets > 0) {
      report.decision("discretize: population '" + name + "' has v_reset != 0 on " + offsets
          + " neuron(s): realised as a voltage offset (v measured from v_reset)");
    }
    return new DiscreteNeurons(name, du, dv, gain, bias, threshold, vInit, mode, f.refractory(),
        tauSyn, tauMem, threshold);
  }

  /**
   * A dt that is not well below a time constant is the usual sign of a dt given in the wrong unit
   * (1 meaning 1 ms) or of a model trained at another dt: the chip then forgets most of the state
   * every step, and the relative tau error tends to 1 while the float reference, discretized the
   * same way, agrees with the chip. One warning per population (--strict makes it fail).
   */
  private void warnIfDtTooLong(String name, double[] tauSyn, double[] tauMem, double[] synErr,
      double[] memErr, CompileReport.Builder report) {
    int shorter = 0;
    int badError = 0;
    double shortest = Double.POSITIVE_INFINITY;
    for (int i = 0; i < tauSyn.length; i++) {
      for (double tau : new double[] {tauSyn[i], tauMem[i]}) {
        if (tau > 0 && tau != Double.POSITIVE_INFINITY) {
          shortest = Math.min(shortest, tau);
          shorter += tau < dt ? 1 : 0;
        }
      }
      badError += Math.max(synErr[i], memErr[i]) > TAU_ERROR_ALARM ? 1 : 0;
    }
    if (shorter > 0 || badError > 0) {
      report.warning(String.format(java.util.Locale.ROOT, "population '%s': dt %s s is not well below"
          + " its time constants (shortest %s s; %d time constant(s) shorter than dt, %d neuron(s)"
          + " with tau error above %.0f %%): was dt given in seconds (1 ms = 1e-3) and at the dt the"
          + " model was trained with? Lower --dt", name, (float) dt, (float) shortest, shorter,
          badError, TAU_ERROR_ALARM * 100));
    }
  }

  /** A realised time constant off by more than this (relative) means dt is far too long. */
  static final double TAU_ERROR_ALARM = 0.5;

  /**
   * Per neuron, the model-unit voltage the chip's v = 0 stands for: v_reset when a reset to
   * zero with a non-zero v_reset is realised as an offset (see the class comment), else 0. So
   * {@code v_model = v_chip / scale + offset}.
   */
  public static double[] voltageOffsets(FloatNeurons f) {
    ResetMode[] mode = f.resetMode();
    double[] vReset = f.vReset();
    double[] th = f.threshold();
    double[] offset = new double[f.size()];
    for (int i = 0; i < offset.length; i++) {
      boolean shifted = mode[i] == ResetMode.TO_ZERO && vReset[i] != 0 && th[i] != Double.POSITIVE_INFINITY;
      offset[i] = shifted ? vReset[i] : 0;
    }
    return offset;
  }

  private double k(double tau) {
    return convention == Discretization.Convention.EXACT ? -Math.expm1(-dt / tau) : dt / tau;
  }

  /** The errors of neurons whose time constant is a real one (not 0 or infinite). */
  private static double[] onlyFinite(double[] tau, double[] err) {
    int m = 0;
    for (double t : tau) {
      m += t > 0 && t != Double.POSITIVE_INFINITY ? 1 : 0;
    }
    double[] out = new double[m];
    int j = 0;
    for (int i = 0; i < tau.length; i++) {
      if (tau[i] > 0 && tau[i] != Double.POSITIVE_INFINITY) {
        out[j++] = err[i];
      }
    }
    return out;
  }
}
