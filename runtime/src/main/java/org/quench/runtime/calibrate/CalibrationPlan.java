package org.quench.runtime.calibrate;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.quench.hal.ChipSpec;
import org.quench.hal.ParameterDeviation;
import org.quench.hal.QuenchException;
import org.quench.hal.proto.SignMode;

/**
 * The integers a calibration programs and the arithmetic it reads the traces back with, all taken
 * from the chip spec of the device being calibrated (docs/variability.md, "Calibration"; the
 * arithmetic is docs/chip-semantics.md's, with the spec's decay unity and shifts). On the built-in
 * {@code loihi} spec the plan is bias 2000 &lt;&lt; 6, dv 2048, vth 1000, ramps 2560 and 40,
 * du + 1 = 2048 and weight 150 (8 bits); a narrower chip gets values scaled into its ranges with
 * the same headroom, and a coarser resolution where its fields are shorter.
 *
 * @param decayBits the decay shift: a decay by {@code amount} keeps {@code (2^decayBits - amount)
 *     / 2^decayBits}, truncated toward zero
 * @param thresholdShift the effective threshold is {@code vth << thresholdShift}
 * @param activationShift an arriving activation enters u shifted left by this
 * @param biasMant bias mantissa of the bias and voltage-decay image (the measured bias)
 * @param biasExp its exponent (at least 0, so v after step 1 holds the realized mantissa exactly)
 * @param dv the voltage decay of that image
 * @param vth the threshold mantissa of the threshold ramps (the measured threshold)
 * @param coarseMant bias mantissa of the coarse threshold ramp
 * @param coarseExp its exponent
 * @param fineMant bias mantissa of the fine ramp (exponent 0; at most one threshold integer per step)
 * @param duAmount the current decay amount du + 1 of the impulse image
 * @param weight the calibration synapses' weight (excitatory)
 * @param numWeightBits their {@code num_weight_bits}: the whole mantissa, nothing truncated
 * @param weightExp their {@code weight_exp} (at least 0): raises u's jump to at least twice the
 *     decay unity where the state allows, so the current decay is fitted on large values
 * @param vthNever the threshold mantissa no voltage exceeds (the spec's largest)
 */
record CalibrationPlan(int decayBits, int thresholdShift, int activationShift, int biasMant,
    int biasExp, int dv, int vth, int coarseMant, int coarseExp, int fineMant, int duAmount,
    int weight, int numWeightBits, int weightExp, int vthNever) {
  /** Loihi's measured bias mantissa: about half the 13-bit range, room for a factor of 2. */
  private static final int BIAS_TARGET = 2000;
  /** The largest bias exponent used: v after step 1 is large against the decay unity. */
  private static final int BIAS_EXP_TARGET = 6;
  /** Loihi's threshold mantissa: 64000 effective, far below the largest voltage. */
  private static final int VTH_TARGET = 1000;
  /** The coarse ramp brackets the threshold within about this many steps. */
  private static final int COARSE_STEPS = 25;
  /** The fine ramp's step, in 64ths of a threshold integer (Loihi: bias 40). */
  private static final int FINE_64THS = 40;
  /** Loihi's calibration weight: 150 of the 8-bit mantissa's 255, room for a factor of 1.7. */
  private static final int WEIGHT_TARGET = 150;
  private static final int WEIGHT_TARGET_OF = 255;
  /**
   * Headroom of a state against its range: v after the bias image settles at up to about 2 x
   * bias x (bias factor) / (dv factor), u after an arrival at 2 x weight x (weight factor).
   */
  private static final int V_HEADROOM = 16;
  private static final int VTH_HEADROOM = 4;
  private static final int U_HEADROOM = 4;

  /**
   * The plan for {@code spec}.
   *
   * @throws QuenchException (one line) when the spec leaves a calibration value no integer, or
   *     has no bias exponent 0 for the ramps
   */
  static CalibrationPlan of(ChipSpec spec) {
    if (!spec.biasExpRange().contains(0)) {
      throw new QuenchException("calibration: chip '" + spec.name() + "' allows bias exponents "
          + spec.biasExpRange() + " only; calibration ramps v by plain bias mantissas (exponent 0)");
    }
    if (spec.weightExpMax() < 0) {
      throw new QuenchException("calibration: chip '" + spec.name() + "' allows weight exponents "
          + spec.weightExpRange() + " only; calibration reads each synapse's weight from u and needs"
          + " an exponent of 0 or more");
    }
    int t = spec.thresholdShift();
    int vthNever = ParameterDeviation.vthMax(spec);
    // The largest v that neither saturates nor passes the never-firing threshold.
    long ceiling = Math.min(spec.voltageRange().max(), (long) vthNever << t);
    int biasMax = spec.biasMantRange().max();

    int biasMant = Math.min(BIAS_TARGET, biasMax / 2);
    int biasExp = -1;
    for (int e = Math.min(BIAS_EXP_TARGET, spec.biasExpMax()); e >= 0 && biasExp < 0; e--) {
      if ((long) V_HEADROOM * ((long) biasMant << e) <= ceiling) {
        biasExp = e;
      }
    }
    if (biasExp < 0) {
      biasExp = 0;
      biasMant = (int) Math.min(biasMant, ceiling / V_HEADROOM);
    }

    int vth = (int) Math.min(VTH_TARGET, Math.min(vthNever / 8, (ceiling >> t) / VTH_HEADROOM));
    long coarse = (long) Math.max(1, vth / COARSE_STEPS) << t;
    int coarseExp = 0;
    while (coarse >> coarseExp > biasMax && coarseExp < spec.biasExpMax()) {
      coarseExp++;
    }
    int coarseMant = (int) Math.min(biasMax, coarse >> coarseExp);
    int fineMant = (int) Math.min(biasMax, Math.max(1, ((long) FINE_64THS << t) / 64));

    int weightMax = spec.weightMantRange(SignMode.EXCITATORY).max();
    int a = spec.activationShift();
    int weightExp = Math.max(0, spec.weightExpMin());
    long uTop = spec.currentRange().max() / U_HEADROOM;
    int weight = (int) Math.min((long) WEIGHT_TARGET * weightMax / WEIGHT_TARGET_OF,
        uTop >> (a + weightExp));
    int unity = spec.decayUnity();
    while (((long) weight << (a + weightExp)) < 2L * unity && weightExp < spec.weightExpMax()
        && ((long) weight << (a + weightExp + 1)) <= uTop) {
      weightExp++;
    }

    List<String> tooNarrow = new ArrayList<>();
    if (biasMant < 1) {
      tooNarrow.add("no bias mantissa keeps v below " + ceiling);
    }
    if (vth < 1) {
      tooNarrow.add("no threshold mantissa fits below v's ceiling " + ceiling);
    }
    if (weight < 1) {
      tooNarrow.add("no weight keeps u (" + spec.currentRange() + ") from wrapping after the shift by "
          + spec.activationShift());
    }
    if (!tooNarrow.isEmpty()) {
      throw new QuenchException("calibration: chip '" + spec.name() + "' is too narrow to calibrate: "
          + String.join("; ", tooNarrow));
    }
    return new CalibrationPlan(spec.decayBits(), t, a, biasMant, biasExp, unity / 2, vth, coarseMant,
        coarseExp, fineMant, unity / 2, weight, spec.numWeightBitsRange(SignMode.EXCITATORY).max(),
        weightExp, vthNever);
  }

  /** Worst-case relative resolution of each measured factor (at factor 1), by parameter key. */
  Map<String, Double> resolution() {
    Map<String, Double> r = new LinkedHashMap<>();
    r.put("currentDecay", 0.5 / duAmount);
    r.put("voltageDecay", 0.5 / dv);
    r.put("threshold", 0.5 / vth);
    r.put("bias", 0.5 / biasMant);
    r.put("weight", 0.5 / weight);
    return r;
  }

  /** The voltage after one step of the bias image: the realized bias mantissa shifted. */
  long biasMantOf(long v) {
    return Math.round(v / (double) (1L << biasExp));
  }

  /** The realized weight of an arrival that raised u by {@code jump}. */
  long weightOf(long jump) {
    return Math.round(jump / (double) (1L << (activationShift + weightExp)));
  }

  /** One step of decay by {@code amount} under this chip's decay unity. */
  long decay(long x, int amount) {
    return DecayFit.decay(x, amount, decayBits);
  }
}
