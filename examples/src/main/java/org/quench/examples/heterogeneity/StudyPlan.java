package org.quench.examples.heterogeneity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which rows a study computes: the sweeps of docs/heterogeneity-study.md ("Sweeps") for the quick
 * or the full study, expanded into {@link WorkItem}s (one per drive, configuration and seed; a
 * configuration that several sweeps share is computed once). The claims analysis selects its rows
 * with the same parameters, so plan and analysis cannot disagree.
 *
 * @param quick whether this is the quick study
 * @param sizes reservoir sizes of the size sweep (rate)
 * @param baseSize size of the shape, gain, spread and training-length sweeps (rate)
 * @param claimSize size at which claim 1 compares heterogeneous with homogeneous (rate)
 * @param hetCv coefficient of variation of the heterogeneous (lognormal) networks
 * @param shapeCv coefficient of variation at which shapes are compared (<= 0.577 so a uniform
 *     distribution of the same mean and variance stays positive)
 * @param spreads coefficients of variation of the lognormal spread sweep
 * @param gains recurrent gains of the gain sweep
 * @param trainLengths training lengths of the training-data sweep
 * @param rateSeeds seeds of rate rows
 * @param rateDrives drives of rate rows
 * @param spikingSizes sizes of spiking rows
 * @param spikingDrives drives of spiking rows
 * @param spikingSeeds seeds of spiking rows
 * @param variabilities variability presets of the mismatch sweep (empty: no mismatch sweep)
 * @param testSamples held-out samples every row is scored on
 */
record StudyPlan(boolean quick, List<Integer> sizes, int baseSize, int claimSize, double hetCv,
    double shapeCv, List<Double> spreads, List<Double> gains, List<Integer> trainLengths,
    List<Long> rateSeeds, List<Drive> rateDrives, List<Integer> spikingSizes, List<Drive> spikingDrives,
    List<Long> spikingSeeds, List<String> variabilities, int testSamples) {

  /** Default gain of every network (the gain sweep varies it). */
  static final double BASE_GAIN = 0.9;
  /** Default training length in samples. */
  static final int BASE_TRAIN = 1000;
  /** The emulated chip the spiking rows deploy to. */
  static final String CHIP = "emu:loihi";

  static StudyPlan quickStudy() {
    return new StudyPlan(true, List.of(32, 64, 128, 256), 64, 128, 1.0, 0.5,
        List.of(0.25, 0.5, 1.0, 2.0), List.of(0.0, 0.5, 0.9, 1.5, 2.0), List.of(250, 500, 1000, 2000),
        List.of(1L, 2L, 3L), List.of(Drive.values()), List.of(64), List.of(Drive.values()),
        List.of(1L, 2L), List.of("mild", "analog"), 1000);
  }

  static StudyPlan fullStudy() {
    return new StudyPlan(false, List.of(32, 64, 128, 256, 512), 128, 128, 1.0, 0.5,
        List.of(0.1, 0.25, 0.5, 1.0, 1.5, 2.0), List.of(0.0, 0.25, 0.5, 0.9, 1.2, 1.5, 2.0),
        List.of(125, 250, 500, 1000, 2000), List.of(1L, 2L, 3L, 4L, 5L), List.of(Drive.values()),
        List.of(64, 128, 256),
        List.of(Drive.values()), List.of(1L, 2L, 3L), List.of("mild", "analog"), 1000);
  }

  /** A copy that also runs the mismatch sweep with these variability presets. */
  StudyPlan withVariabilities(List<String> presets) {
    return new StudyPlan(quick, sizes, baseSize, claimSize, hetCv, shapeCv, spreads, gains,
        trainLengths, rateSeeds, rateDrives, spikingSizes, spikingDrives, spikingSeeds,
        List.copyOf(presets), testSamples);
  }

  /** The rate network of size n and shape at the base gain and training length. */
  ReservoirConfig rate(int n, TauShape shape, double cv) {
    return ReservoirConfig.rate(n, shape, cv).withGain(BASE_GAIN).withTrain(BASE_TRAIN)
        .withTest(testSamples);
  }

  ReservoirConfig spiking(int n, TauShape shape, double cv, String device) {
    return ReservoirConfig.spiking(n, shape, cv, device).withGain(BASE_GAIN).withTrain(BASE_TRAIN)
        .withTest(testSamples);
  }

  /** The device URI of an emulated chip instance with a variability preset. */
  static String variedChip(String preset, long serial) {
    return CHIP + "?serial=" + serial + "&variability=" + preset;
  }

  /** Rate configurations of every sweep, without repeats. */
  Set<ReservoirConfig> rateConfigs() {
    Set<ReservoirConfig> c = new LinkedHashSet<>();
    for (int n : sizes) {
      c.add(rate(n, TauShape.HOMOGENEOUS, 0));
      c.add(rate(n, TauShape.LOGNORMAL, hetCv));
    }
    for (TauShape s : TauShape.values()) {
      c.add(rate(baseSize, s, s == TauShape.HOMOGENEOUS ? 0 : shapeCv));
    }
    for (double cv : spreads) {
      c.add(rate(baseSize, TauShape.LOGNORMAL, cv));
    }
    for (double g : gains) {
      c.add(rate(baseSize, TauShape.HOMOGENEOUS, 0).withGain(g));
      c.add(rate(baseSize, TauShape.LOGNORMAL, hetCv).withGain(g));
    }
    for (int l : trainLengths) {
      c.add(rate(baseSize, TauShape.HOMOGENEOUS, 0).withTrain(l));
      c.add(rate(baseSize, TauShape.LOGNORMAL, hetCv).withTrain(l));
    }
    return c;
  }

  /**
   * Spiking configurations: float reference and chip (graded input, and input as bias),
   * homogeneous and heterogeneous, and the same on varied chips when presets are given.
   */
  Set<ReservoirConfig> spikingConfigs(long seed) {
    Set<ReservoirConfig> c = new LinkedHashSet<>();
    for (int n : spikingSizes) {
      for (String device : List.of(ReservoirConfig.REFERENCE, CHIP)) {
        c.add(spiking(n, TauShape.HOMOGENEOUS, 0, device));
        c.add(spiking(n, TauShape.LOGNORMAL, hetCv, device));
      }
      // The same networks on the chip with the input written as per-sample biases.
      c.add(spiking(n, TauShape.HOMOGENEOUS, 0, CHIP).withInputMode(ReservoirConfig.InputMode.BIAS));
      c.add(spiking(n, TauShape.LOGNORMAL, hetCv, CHIP).withInputMode(ReservoirConfig.InputMode.BIAS));
      for (String preset : variabilities) {
        // The chip instance's serial follows the seed: each seed meets another chip.
        c.add(spiking(n, TauShape.HOMOGENEOUS, 0, variedChip(preset, seed)));
        c.add(spiking(n, TauShape.LOGNORMAL, hetCv, variedChip(preset, seed)));
      }
    }
    return c;
  }

  /** Every work item of the study, rate first, in a fixed order. */
  List<WorkItem> items() {
    Map<String, WorkItem> items = new LinkedHashMap<>();
    for (ReservoirConfig c : rateConfigs()) {
      for (long seed : rateSeeds) {
        for (Drive d : rateDrives) {
          add(items, new WorkItem(d, c, seed, TaskSuite.on(d)));
        }
      }
    }
    for (long seed : spikingSeeds) {
      for (ReservoirConfig c : spikingConfigs(seed)) {
        for (Drive d : spikingDrives) {
          add(items, new WorkItem(d, c, seed, TaskSuite.on(d)));
        }
      }
    }
    return new ArrayList<>(items.values());
  }

  private static void add(Map<String, WorkItem> items, WorkItem w) {
    items.putIfAbsent(w.drive().id() + "|" + w.config() + "|" + w.seed(), w);
  }
}
