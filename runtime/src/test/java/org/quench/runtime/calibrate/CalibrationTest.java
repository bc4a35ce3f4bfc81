package org.quench.runtime.calibrate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.quench.hal.ChipSpec;
import org.quench.hal.CoreDeviations;
import org.quench.hal.Device;
import org.quench.hal.DeviceParameter;
import org.quench.hal.DeviceProfile;
import org.quench.hal.Devices;
import org.quench.hal.QuenchException;

/** Calibration through the Device SPI recovers a known (generated) profile, on Loihi and on other chip specs. */
class CalibrationTest {
  static final int NEURONS = 200;

  @TempDir
  Path dir;

  /** Largest |measured - true| factor per parameter over every calibrated live neuron. */
  static double[] worstError(DeviceProfile truth, DeviceProfile measured, List<int[]> cores, int neurons) {
    double[] worst = new double[DeviceParameter.values().length];
    for (int[] c : cores) {
      CoreDeviations t = truth.core(c[0], c[1], neurons);
      CoreDeviations m = measured.core(c[0], c[1], neurons);
      for (int i = 0; i < neurons; i++) {
        assertEquals(t.dead(i), m.dead(i), "dead flag of neuron " + i + " on core " + c[1]);
        assertEquals(t.hot(i), m.hot(i), "hot flag of neuron " + i + " on core " + c[1]);
        if (t.dead(i) || t.hot(i)) {
          continue;
        }
        for (DeviceParameter p : DeviceParameter.values()) {
          if (p == DeviceParameter.WEIGHT) {
            continue;
          }
          worst[p.ordinal()] = Math.max(worst[p.ordinal()], Math.abs(m.factor(p, i) - t.factor(p, i)));
        }
        // The gain measures the calibration synapses' mean realized gain.
        double sum = 0;
        int live = 0;
        for (int a = 0; a < 16; a++) {
          if (!t.stuckOff(a, i)) {
            sum += t.synapseGain(a, i) / 65536.0;
            live++;
          }
        }
        int w = DeviceParameter.WEIGHT.ordinal();
        worst[w] = Math.max(worst[w], Math.abs(m.factor(DeviceParameter.WEIGHT, i) - sum / live));
      }
    }
    return worst;
  }

  static String describe(double[] worst) {
    StringBuilder s = new StringBuilder();
    for (DeviceParameter p : DeviceParameter.values()) {
      s.append(String.format(Locale.ROOT, " %s %.4f%%", p.key(), 100 * worst[p.ordinal()]));
    }
    return s.toString();
  }

  static void assertWithinStatedError(double[] worst, CalibrationPlan plan) {
    // Half an integer step of each calibration value, plus the realization's own rounding of the
    // factor (half a step of the nominal value): 2 x resolution; the gain additionally rounds
    // each synapse's weight (1 % with Loihi's 150; two integer steps of a narrower chip's weight).
    assertTrue(worst[DeviceParameter.CURRENT_DECAY.ordinal()] <= 2 * 0.5 / plan.duAmount(), describe(worst));
    assertTrue(worst[DeviceParameter.VOLTAGE_DECAY.ordinal()] <= 2 * 0.5 / plan.dv(), describe(worst));
    assertTrue(worst[DeviceParameter.BIAS.ordinal()] <= 2 * 0.5 / plan.biasMant(), describe(worst));
    assertTrue(worst[DeviceParameter.THRESHOLD.ordinal()] <= 2 * 1.0 / plan.vth(), describe(worst));
    assertTrue(worst[DeviceParameter.WEIGHT.ordinal()] <= Math.max(0.01, 2.0 / plan.weight()), describe(worst));
  }

  @Test
  void loihisPlanIsTheDocumentedOne() {
    // The images Loihi is calibrated with stay exactly those of docs/variability.md, so a Loihi
    // chip's measured profile is the same, bit for bit, as before the plan came from the spec.
    CalibrationPlan p = CalibrationPlan.of(ChipSpec.loihi());
    assertEquals(new CalibrationPlan(12, 6, 6, 2000, 6, 2048, 1000, 2560, 0, 40, 2048, 150, 8, 0, 131072), p);
    assertEquals(0.5 / 2048, p.resolution().get("voltageDecay"));
  }

  @Test
  void recoversAnAnalogChipWithinTheStatedError() {
    List<int[]> cores = Calibration.parseCores("0-2", 0, 128);
    try (Device d = Devices.open("emu:loihi?serial=5&variability=analog&threads=2")) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 2), x -> { });
      double[] worst = worstError(d.profile(), r.profile(), cores, NEURONS);
      System.out.println("calibration worst error on emu:" + describe(worst));
      assertWithinStatedError(worst, CalibrationPlan.of(ChipSpec.loihi()));
      assertEquals("5", r.profile().serial());
      assertTrue(r.profile().isMeasured());
      assertEquals(0, r.unresolved());
    }
  }

  /**
   * Narrower than Loihi everywhere calibration computes: 10-bit decays (unity 1024), threshold
   * shift 5, activation shift 4, 20-bit state, 11-bit thresholds (so the never-firing threshold
   * 2048 << 5 lies far below the largest voltage), 9-bit biases (the coarse ramp needs an exponent),
   * 6-bit weights.
   */
  static ChipSpec narrowChip() {
    return ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("narrow-cal").setStateBits(20)
        .setDecayBits(10).setThresholdMantBits(11).setThresholdShift(5).setActivationShift(4)
        .setBiasMantBits(9).setWeightMantBits(6).setWeightInputBits(12).build());
  }

  /** Wider than Loihi: 14-bit decays, shifts of 8, 28-bit state, 19-bit thresholds, 16-bit biases. */
  static ChipSpec wideChip() {
    return ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("wide-cal").setStateBits(28)
        .setDecayBits(14).setThresholdMantBits(19).setThresholdShift(8).setActivationShift(8)
        .setBiasMantBits(16).setWeightMantBits(10).build());
  }

  private double[] calibrateSpecFile(ChipSpec spec, String serial) throws IOException {
    Path file = dir.resolve(spec.name() + ".json");
    Files.writeString(file, spec.toJson());
    List<int[]> cores = Calibration.parseCores("0-1", 0, spec.coresPerChip());
    // The spec is found from the emu: URI's file, as quench calibrate finds it.
    try (Device d = Devices.open("emu:" + file + "?serial=" + serial + "&variability=analog&threads=2")) {
      Calibration.Result r = Calibration.run(d, new Calibration.Options(cores, NEURONS, 16, 2), x -> { });
      assertEquals(spec.name(), r.profile().data().getSpecName());
      assertEquals(0, r.unresolved());
      ProfileComparison fromNominal = ProfileComparison.fromNominal(r.profile(), cores, NEURONS);
      // The chip really deviates (about 15 % per neuron): the check below is not trivially met.
      assertTrue(fromNominal.mean()[DeviceParameter.THRESHOLD.ordinal()] > 0.05, fromNominal.table("mean", "max"));
      double[] worst = worstError(d.profile(), r.profile(), cores, NEURONS);
      System.out.println("calibration worst error on " + spec.name() + ":" + describe(worst));
      assertWithinStatedError(worst, CalibrationPlan.of(spec));
      return worst;
    }
  }

  @Test
  void recoversAnAnalogChipOfANarrowerSpec() throws IOException {
    CalibrationPlan p = CalibrationPlan.of(narrowChip());
    // Every value the plan programs fits the narrow chip's fields, with the same headroom.
    assertEquals(new CalibrationPlan(10, 5, 4, 127, 5, 512, 256, 160, 1, 20, 512, 37, 6, 2, 2048), p);
    double[] worst = calibrateSpecFile(narrowChip(), "5");
    // As close as the resolution the narrower fields allow (bias 127 and threshold 256, not 2000 and 1000).
    assertTrue(worst[DeviceParameter.VOLTAGE_DECAY.ordinal()] <= 1.0 / 512, describe(worst));
  }

  @Test
  void recoversAnAnalogChipOfAWiderSpecAsWellAsOnLoihi() throws IOException {
    CalibrationPlan p = CalibrationPlan.of(wideChip());
    assertEquals(14, p.decayBits());
    assertEquals(8192, p.dv());
    double[] worst = calibrateSpecFile(wideChip(), "8");
    // At least Loihi's resolution everywhere.
    assertTrue(worst[DeviceParameter.CURRENT_DECAY.ordinal()] <= 1.0 / 2048, describe(worst));
    assertTrue(worst[DeviceParameter.VOLTAGE_DECAY.ordinal()] <= 1.0 / 2048, describe(worst));
    assertTrue(worst[DeviceParameter.THRESHOLD.ordinal()] <= 2.0 / 1000, describe(worst));
    assertTrue(worst[DeviceParameter.BIAS.ordinal()] <= 1.0 / 2000, describe(worst));
  }

  @Test
  void coresAreCalibratedInChipOrderAndEachOnce() {
    Calibration.Options o = new Calibration.Options(List.of(new int[] {0, 29}, new int[] {1, 0},
        new int[] {0, 5}), 4, 4, 1);
    assertEquals(List.of("0,5", "0,29", "1,0"), o.cores().stream().map(c -> c[0] + "," + c[1]).toList());
    QuenchException twice = assertThrows(QuenchException.class, () -> new Calibration.Options(
        List.of(new int[] {0, 3}, new int[] {0, 1}, new int[] {0, 3}), 4, 4, 1));
    assertEquals("calibration: core (0,3) is selected twice", twice.getMessage());
  }

  /** Builds Options from {@code cores} and returns its refusal's message, which must be one line. */
  private static String refusal(List<int[]> cores) {
    QuenchException e = assertThrows(QuenchException.class, () -> new Calibration.Options(cores, 4, 4, 1));
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void badCoreListsAreRefusedInOneLineNamingTheEntry() {
    assertEquals("calibration: the core list is null; give (chip, core) pairs", refusal(null));
    List<int[]> withNull = new java.util.ArrayList<>();
    withNull.add(new int[] {0, 1});
    withNull.add(null);
    assertEquals("calibration: core entry 1 is null; each entry is a (chip, core) pair", refusal(withNull));
    assertEquals("calibration: core entry 2 has 1 number [5]; each entry is a (chip, core) pair",
        refusal(List.of(new int[] {0, 0}, new int[] {0, 1}, new int[] {5})));
    assertEquals("calibration: core entry 0 has 0 numbers []; each entry is a (chip, core) pair",
        refusal(List.of(new int[0])));
    assertEquals("calibration: core entry 0 has 3 numbers [0, 1, 2]; each entry is a (chip, core) pair",
        refusal(List.of(new int[] {0, 1, 2})));
    assertEquals("calibration: core entry 1 is (0,-3); chips and cores are numbered from 0",
        refusal(List.of(new int[] {0, 0}, new int[] {0, -3})));
    assertEquals("calibration: core entry 0 is (-1,2); chips and cores are numbered from 0",
        refusal(List.<int[]>of(new int[] {-1, 2})));
    QuenchException chip = assertThrows(QuenchException.class, () -> Calibration.parseCores("0-3", -1, 128));
    assertEquals("calibration: --chip -1 is negative; chips are numbered from 0", chip.getMessage());
  }

  @Test
  void theOptionsCoresCannotBeChangedThroughWhatWasGivenOrWhatIsHandedOut() {
    // The caller's list and arrays: changing them afterwards changes nothing.
    int[] entry = {0, 7};
    List<int[]> given = new java.util.ArrayList<>(List.of(entry, new int[] {0, 2}));
    Calibration.Options o = new Calibration.Options(given, 4, 4, 1);
    entry[1] = 9;
    given.add(new int[] {0, 4});
    given.set(1, new int[] {1, 1});
    assertEquals(List.of("0,2", "0,7"), o.cores().stream().map(c -> c[0] + "," + c[1]).toList());
    // What cores() returns: its arrays are copies, and the list itself refuses changes.
    List<int[]> handedOut = o.cores();
    handedOut.get(0)[1] = 99;
    handedOut.get(1)[0] = 5;
    assertEquals(List.of("0,2", "0,7"), o.cores().stream().map(c -> c[0] + "," + c[1]).toList());
    assertThrows(UnsupportedOperationException.class, () -> handedOut.add(new int[] {0, 3}));
    assertThrows(UnsupportedOperationException.class, () -> handedOut.remove(0));
    assertEquals(2, o.cores().size());
  }

  @Test
  void aSpecFileMustMatchTheDevicesSpec() throws IOException {
    Path file = dir.resolve("narrow.json");
    Files.writeString(file, narrowChip().toJson());
    try (Device d = Devices.open("emu:loihi?threads=1")) {
      QuenchException e = assertThrows(QuenchException.class,
          () -> Calibration.deviceSpec(d.info(), file.toString()));
      assertTrue(e.getMessage().startsWith("calibration: --spec " + file + " (chip 'narrow-cal') is not the spec"
          + " device emu:loihi?threads=1 follows (chip 'loihi'"), e.getMessage());
      assertEquals("loihi", Calibration.deviceSpec(d.info(), null).name());
      assertEquals("loihi", Calibration.deviceSpec(d.info(), "loihi").name());
      QuenchException wrong = assertThrows(QuenchException.class,
          () -> Calibration.run(d, narrowChip(), new Calibration.Options(List.of(new int[] {0, 0}), 4, 4, 1),
              x -> { }));
      assertTrue(wrong.getMessage().contains("not the given 'narrow-cal'"), wrong.getMessage());
    }
  }

  @Test
  void anEmulatorMadeInProcessWithAnUnbuiltSpecIsAskedForItsSpecFile() throws IOException {
    // An EmulatorDevice made in code names its spec in its URI (emu:narrow-cal?serial=0&...) but was
    // never opened from a file: the URI's spec is only a file to try when it is one.
    try (Device d = new org.quench.emulator.EmulatorDevice(narrowChip(), DeviceProfile.nominal("0"), 1)) {
      QuenchException e = assertThrows(QuenchException.class, () -> Calibration.deviceSpec(d.info(), null));
      assertEquals("calibration: device emu:narrow-cal?serial=0&threads=1 follows chip spec 'narrow-cal', which"
          + " is not built in; give its spec file with --spec FILE", e.getMessage());
    }
    // Opened from its file, the device's spec is found there.
    Path file = dir.resolve("narrow.json");
    Files.writeString(file, narrowChip().toJson());
    try (Device d = Devices.open("emu:" + file + "?threads=1")) {
      assertEquals(narrowChip().hash(), Calibration.deviceSpec(d.info(), null).hash());
    }
  }

  @Test
  void aChipCalibrationCannotDriveIsRefusedInOneLine() {
    ChipSpec negativeOnly = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("no-exp-0")
        .setBiasExpMin(-8).setBiasExpMax(-1).build());
    QuenchException e = assertThrows(QuenchException.class, () -> CalibrationPlan.of(negativeOnly));
    assertEquals("calibration: chip 'no-exp-0' allows bias exponents -8..-1 only; calibration ramps v by"
        + " plain bias mantissas (exponent 0)", e.getMessage());
    // 2-bit state with an activation shift of 3: no weight keeps u from wrapping.
    ChipSpec tiny = ChipSpec.of(ChipSpec.loihi().data().toBuilder().setName("tiny").setStateBits(4)
        .setThresholdMantBits(2).setThresholdShift(1).setActivationShift(3).build());
    QuenchException t = assertThrows(QuenchException.class, () -> CalibrationPlan.of(tiny));
    assertTrue(t.getMessage().startsWith("calibration: chip 'tiny' is too narrow to calibrate: "), t.getMessage());
    assertFalse(t.getMessage().contains("\n"));
  }
}
