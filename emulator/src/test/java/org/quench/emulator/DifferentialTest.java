package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;

/**
 * The emulator against the plain {@link ReferenceStepper} on seeded random networks: u, v and
 * spikes of every neuron equal at every step, and the output port reports exactly the spikes.
 */
class DifferentialTest {
  private static final int CASES = 400;

  @Test
  void emulatorMatchesReferenceOnRandomNetworks() {
    int spiking = 0;
    int driven = 0;
    int propagating = 0;
    long spikes = 0;
    long cells = 0;
    for (long seed = 1; seed <= CASES; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 4, 12, 40);
      // Each case at one of 1, 2 and 3 threads (ThreadDeterminismTest also checks 2..4 against 1).
      Activity a = compare(c, 1 + (int) (seed % 3));
      spiking += a.spikes() > 0 ? 1 : 0;
      driven += a.nonZeroU() > 0 ? 1 : 0;
      propagating += a.coresSpiking() >= 2 ? 1 : 0;
      spikes += a.spikes();
      cells += a.cells();
    }
    // Equal silence proves nothing: the generator must keep the networks busy, so that every
    // rule of the step (synaptic input, decay, threshold, reset, routing) is exercised.
    System.out.printf("differential: %d/%d cases spike, %d driven, %d on two or more cores,"
        + " %.3f spikes per neuron-step%n", spiking, CASES, driven, propagating, spikes / (double) cells);
    // Measured with the current generator: 346 spike, 372 driven, 204 on 2+ cores, density 0.16.
    assertTrue(spiking >= CASES * 3 / 4, spiking + " of " + CASES + " cases have spikes");
    assertTrue(driven >= CASES * 85 / 100, driven + " of " + CASES + " cases get synaptic input");
    assertTrue(propagating >= CASES * 2 / 5, propagating + " of " + CASES + " cases spike on 2+ cores");
    double density = spikes / (double) cells;
    assertTrue(density > 0.05 && density < 0.6, "spike density " + density);
  }

  /** How busy a compared run was. */
  record Activity(long cells, long spikes, long nonZeroU, int coresSpiking) {}

  @Test
  void emulatorMatchesReferenceOnLargerCores() {
    for (long seed = 1000; seed < 1010; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 3, 300, 30);
      compare(c, 2);
    }
  }

  @Test
  void routesOverManyWordsOfTheSpikeBitmapMatch() {
    long crossing = 0;
    long spikes = 0;
    for (long seed = 2000; seed < 2040; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 3, 300, 30, true);
      for (org.quench.hal.proto.Core core : c.image().getCoresList()) {
        for (org.quench.hal.proto.Route r : core.getRoutesList()) {
          int first = r.getNeuronFirst();
          int last = first + r.getNeuronCount() - 1;
          crossing += (last >>> 5) - (first >>> 5) >= 2 ? 1 : 0;
        }
      }
      spikes += compare(c, 1 + (int) (seed % 3)).spikes();
    }
    // Routes over two or more bitmap words take the emulator's general path; those over three or
    // more (11 with these seeds) also read whole middle words. Their sources must spike for it to
    // be exercised.
    assertTrue(crossing >= 10, crossing + " routes span three or more words");
    assertTrue(spikes > 1000, spikes + " spikes");
  }

  @Test
  void largeConvolutionWeightsOnAFullCoreUseTheWideLayoutAndStillMatch() {
    java.util.Random rnd = new java.util.Random(42);
    int n = 1024;
    for (int graded = 0; graded <= 1; graded++) {
      org.quench.hal.proto.AxonGroup.Builder g = org.quench.hal.proto.AxonGroup.newBuilder().setName("conv")
          .setKind(org.quench.hal.proto.ConnectionKind.CONV).setAxonFirst(0).setAxonCount(8)
          .setNumMessageBits(graded * 12).addRowPtr(0);
      int s = 0;
      for (int a = 0; a < 8; a++) {
        for (int k = 0; k < 60; k++) {
          // Targets cluster on a few neurons so that sums exceed 24 bits and wrap.
          g.addTarget(rnd.nextInt(16)).addWeight(rnd.nextInt(131071) - 65535).addDelay(rnd.nextInt(64));
          s++;
        }
        g.addRowPtr(s);
      }
      org.quench.hal.proto.ChipImage image = ImageFixture.single(
          ImageFixture.lifCore(0, 0, n, 0, 0, 1000, 0, 0), g).toBuilder()
          .setHeader(ImageFixture.image(1).getHeader().toBuilder().setSpecName(WIDE.name())
              .setSpecHash(WIDE.hash()))
          .setSymbols(0, ImageFixture.symbol("p0", 0, 0, n)).build();
      org.quench.hal.Stimulus.Builder stim = org.quench.hal.Stimulus.builder(80);
      for (int k = 0; k < 80; k++) {
        for (int a = 0; a < 8; a++) {
          if (rnd.nextInt(3) == 0) {
            stim.payload(k, "in", a, graded == 1 ? rnd.nextInt(4096) - 2048 : 1);
          }
        }
      }
      compare(new RandomNetworks.Case(image, stim.build(), List.of("p0"), 42), 1, WIDE);
      try (EmulatorDevice dev = new EmulatorDevice(WIDE, "test", 1)) {
        dev.load(image);
        org.junit.jupiter.api.Assertions.assertTrue(dev.coreForTest(0).usesWideWeights());
      }
    }
  }

  /**
   * The loihi numbers but 20-bit weight inputs: CONV weights are plain integers on the core, so a
   * chip with a wider weight input than loihi's 16 bits needs the emulator's wide weight layout.
   */
  private static final ChipSpec WIDE = ChipSpec.of(ChipSpec.loihi().data().toBuilder()
      .setName("loihi-wide").setWeightInputBits(20).build());

  static Activity compare(RandomNetworks.Case c, int threads) {
    return compare(c, threads, ImageFixture.SPEC);
  }

  static Activity compare(RandomNetworks.Case c, int threads, ChipSpec spec) {
    long cells = 0;
    long spikes = 0;
    long nonZeroU = 0;
    int coresSpiking = 0;
    ReferenceStepper ref = new ReferenceStepper(c.image());
    ReferenceStepper.Trace expected = ref.run(c.stimulus());
    try (EmulatorDevice dev = new EmulatorDevice(spec, "test", threads)) {
      dev.load(c.image());
      List<String> pops = c.populations();
      for (String p : pops) {
        dev.attach(Probe.of(ProbeKind.U, p));
        dev.attach(Probe.of(ProbeKind.V, p));
        dev.attach(Probe.of(ProbeKind.SPIKES, p));
      }
      RunResult r = dev.run(c.stimulus());
      int steps = c.stimulus().steps();
      int outOffset = 0;
      int[][] out = r.output("out").dense(steps);
      for (int core = 0; core < pops.size(); core++) {
        String p = pops.get(core);
        RunResult.Trace u = r.trace(Probe.of(ProbeKind.U, p));
        RunResult.Trace v = r.trace(Probe.of(ProbeKind.V, p));
        RunResult.Trace s = r.trace(Probe.of(ProbeKind.SPIKES, p));
        long coreSpikes = 0;
        for (int k = 0; k < steps; k++) {
          for (int i = 0; i < u.width(); i++) {
            cells++;
            coreSpikes += s.at(k, i);
            nonZeroU += u.at(k, i) != 0 ? 1 : 0;
            String where = "seed " + c.seed() + " step " + (k + 1) + " core " + core + " neuron " + i;
            if (expected.u()[k][core][i] != u.at(k, i) || expected.v()[k][core][i] != v.at(k, i)
                || expected.spikes()[k][core][i] != s.at(k, i)) {
              fail(where + ": reference (u, v, s) = (" + expected.u()[k][core][i] + ", "
                  + expected.v()[k][core][i] + ", " + expected.spikes()[k][core][i] + "), emulator ("
                  + u.at(k, i) + ", " + v.at(k, i) + ", " + s.at(k, i) + ")");
            }
            assertEquals(expected.spikes()[k][core][i], out[k][outOffset + i], where + ": output port");
          }
        }
        outOffset += u.width();
        spikes += coreSpikes;
        coresSpiking += coreSpikes > 0 ? 1 : 0;
      }
    }
    return new Activity(cells, spikes, nonZeroU, coresSpiking);
  }
}
