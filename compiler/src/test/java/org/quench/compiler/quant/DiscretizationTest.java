package org.quench.compiler.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.quench.compiler.quant.Discretization.Convention;
import org.quench.compiler.quant.Discretization.Variable;
import org.quench.hal.ChipSpec;
import org.quench.hal.QuenchException;

class DiscretizationTest {
  private static final ChipSpec LOIHI = ChipSpec.loihi();

  /**
   * docs/chip-semantics.md#one-neuron-step step 4, written out independently: one current decay
   * step without input.
   */
  private static long decayCurrent(long u, int du) {
    long t = u * (4096 - (du + 1));
    return Long.signum(t) * (Math.abs(t) >> 12);
  }

  /** docs/chip-semantics.md#one-neuron-step step 5 without u and bias. */
  private static long decayVoltage(long v, int dv) {
    long t = v * (4096 - dv);
    return Long.signum(t) * (Math.abs(t) >> 12);
  }

  @Test
  void halvingTimeConstantGivesTheGoldenImpulseDecays() {
    // The current impulse golden vector (docs/chip-semantics.md#lif) halves u each step with
    // du = 2047; dv = 2048 halves v.
    double tau = 1.0 / Math.log(2);
    assertEquals(2047, Discretization.currentDecay(tau, 1.0, Convention.EXACT, LOIHI).decay());
    assertEquals(2048, Discretization.voltageDecay(tau, 1.0, Convention.EXACT, LOIHI).decay());
    assertEquals(2047, Discretization.currentDecay(2.0, 1.0, Convention.FORWARD_EULER, LOIHI).decay());
    assertEquals(2048, Discretization.voltageDecay(2.0, 1.0, Convention.FORWARD_EULER, LOIHI).decay());
    long u = 8192;
    for (int k = 0; k < 5; k++) {
      u = decayCurrent(u, 2047);
    }
    assertEquals(256, u);
  }

  @Test
  void infiniteTauMeansNoDecay() {
    Discretization.Decay du =
        Discretization.currentDecay(Double.POSITIVE_INFINITY, 1e-3, Convention.EXACT, LOIHI);
    Discretization.Decay dv =
        Discretization.voltageDecay(Double.POSITIVE_INFINITY, 1e-3, Convention.FORWARD_EULER, LOIHI);
    assertEquals(-1, du.decay());
    assertEquals(0, dv.decay());
    assertEquals(0.0, du.tauRelError());
    assertEquals(Double.POSITIVE_INFINITY, dv.realisedTau());
    assertEquals(1000, decayCurrent(1000, -1));
    assertEquals(1000, decayVoltage(1000, 0));
  }

  @Test
  void formulaMatchesTheBriefForBothConventions() {
    double dt = 1e-4;
    for (double tau : new double[] {1e-4, 3e-4, 2.5e-3, 0.02, 0.5, 7.0}) {
      double exact = 1 - Math.exp(-dt / tau);
      assertEquals(Math.round(4096 * exact) - 1,
          Discretization.currentDecay(tau, dt, Convention.EXACT, LOIHI).decay());
      assertEquals(Math.round(4096 * exact),
          Discretization.voltageDecay(tau, dt, Convention.EXACT, LOIHI).decay());
      assertEquals(Math.round(4096 * dt / tau),
          Discretization.voltageDecay(tau, dt, Convention.FORWARD_EULER, LOIHI).decay());
    }
  }

  @Test
  void realisedTauDescribesWhatTheIntegerChipDoes() {
    // Decay a large current for many steps with the chip's integer rule and compare with the
    // continuous decay at the realised tau: they agree up to the truncation of each step.
    double dt = 1.0;
    for (double tau : new double[] {3.0, 17.0, 150.0}) {
      Discretization.Decay d = Discretization.currentDecay(tau, dt, Convention.EXACT, LOIHI);
      long u = 1L << 22;
      int steps = 20;
      for (int k = 0; k < steps; k++) {
        u = decayCurrent(u, d.decay());
      }
      double predicted = (1L << 22) * Math.exp(-steps * dt / d.realisedTau());
      assertEquals(predicted, u, steps + 1.0, "tau " + tau);
      assertTrue(Math.abs(d.tauRelError()) < 0.01, "tau " + tau + " error " + d.tauRelError());
    }
  }

  @Test
  void inverseRoundTripsEveryDecayValue() {
    for (int du = -1; du <= 4095; du++) {
      for (Convention c : Convention.values()) {
        double tau = Discretization.realisedTau(Variable.CURRENT, du, 0.5, c, LOIHI);
        assertEquals(du, Discretization.currentDecay(tau, 0.5, c, LOIHI).decay(), "du " + du + " " + c);
      }
    }
    for (int dv = 0; dv <= 4096; dv++) {
      double tau = Discretization.realisedTau(Variable.VOLTAGE, dv, 0.5, Convention.EXACT, LOIHI);
      assertEquals(dv, Discretization.voltageDecay(tau, 0.5, Convention.EXACT, LOIHI).decay());
    }
  }

  @Test
  void realisedTauOfKnownValues() {
    assertEquals(1 / Math.log(2),
        Discretization.realisedTau(Variable.CURRENT, 2047, 1, Convention.EXACT, LOIHI), 1e-12);
    assertEquals(2.0,
        Discretization.realisedTau(Variable.VOLTAGE, 2048, 1, Convention.FORWARD_EULER, LOIHI), 1e-12);
    assertEquals(0.0,
        Discretization.realisedTau(Variable.CURRENT, 4095, 1, Convention.EXACT, LOIHI));
  }

  @Test
  void eulerWithStepLongerThanTauIsClampedAndReported() {
    Discretization.Decay d = Discretization.voltageDecay(0.5, 1.0, Convention.FORWARD_EULER, LOIHI);
    assertTrue(d.clamped());
    assertEquals(-1.0, d.requestedFactor(), 1e-12);
    assertEquals(4096, d.decay());
    assertEquals(1.0, d.realisedTau(), 1e-12); // Euler tau of "keep nothing" is dt
    assertEquals(1.0, d.tauRelError(), 1e-12);
    Discretization.Decay du = Discretization.currentDecay(0.5, 1.0, Convention.FORWARD_EULER, LOIHI);
    assertEquals(4095, du.decay());
    assertFalse(Discretization.currentDecay(0.5, 1.0, Convention.EXACT, LOIHI).clamped());
  }

  @Test
  void slowDecaysRoundToFewUnitsWithAVisibleError() {
    // tau = 1000 dt: 4096 * (1 - e^-0.001) = 4.094 -> dv = 4, realised tau = -1/ln(1 - 4/4096).
    Discretization.Decay d = Discretization.voltageDecay(1000, 1, Convention.EXACT, LOIHI);
    assertEquals(4, d.decay());
    double realised = -1 / Math.log(1 - 4 / 4096.0);
    assertEquals(realised, d.realisedTau(), 1e-9);
    assertEquals((realised - 1000) / 1000, d.tauRelError(), 1e-12);
  }

  @Test
  void populationReportsTheWorstNeuron() {
    Discretization.Decays ds = Discretization.decays(Variable.VOLTAGE,
        new double[] {10, 1000, Double.POSITIVE_INFINITY, 0.5}, 1, Convention.FORWARD_EULER, LOIHI);
    assertEquals(4096, ds.decays()[3]);
    assertEquals(0, ds.decays()[2]);
    assertEquals(3, ds.worstNeuron());
    assertEquals(1, ds.clampedCount());
  }

  @Test
  void badInputIsAQuenchException() {
    assertThrows(QuenchException.class,
        () -> Discretization.currentDecay(-1, 1, Convention.EXACT, LOIHI));
    assertThrows(QuenchException.class,
        () -> Discretization.currentDecay(Double.NaN, 1, Convention.EXACT, LOIHI));
    assertThrows(QuenchException.class,
        () -> Discretization.currentDecay(1, 0, Convention.EXACT, LOIHI));
    assertThrows(QuenchException.class,
        () -> Discretization.realisedTau(Variable.CURRENT, -2, 1, Convention.EXACT, LOIHI));
    assertThrows(QuenchException.class,
        () -> Discretization.realisedTau(Variable.VOLTAGE, 4097, 1, Convention.EXACT, LOIHI));
    QuenchException e = assertThrows(QuenchException.class, () -> Discretization.decays(
        Variable.CURRENT, new double[] {1, -3}, 1, Convention.EXACT, LOIHI));
    assertTrue(e.getMessage().startsWith("neuron 1"));
  }
}
