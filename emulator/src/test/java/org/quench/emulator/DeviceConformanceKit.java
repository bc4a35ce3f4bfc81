package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.ChipSpec;
import org.quench.hal.Device;
import org.quench.hal.DeviceInfo;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.QuenchException;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;

/**
 * Conformance tests for a {@link Device} implementation: every test runs the same seeded images
 * and stimuli on the device under test and on the in-process emulator (the reference) and
 * requires bit-identical {@link RunResult}s, {@link Device#read} values and step counts.
 *
 * <p>To check a provider, extend this class in the provider's tests and return a fresh device from
 * {@link #openDeviceUnderTest()}; each test opens and closes its own devices. The images come from
 * {@link RandomNetworks}: one or two chips, up to six cores with routes between them, synaptic
 * delays, graded payloads, every sign mode and weight width, ternary and refractory neurons, and
 * sticky bias changes. They are built for the built-in {@code loihi} spec, so the device under
 * test must accept loihi images. Depend on it with the emulator's test-jar:
 * {@code <artifactId>quench-emulator</artifactId><type>test-jar</type><scope>test</scope>}.
 */
public abstract class DeviceConformanceKit {
  /** Seeds of the images run by every comparison test. */
  protected static final long[] SEEDS = {3, 14, 15, 92, 65};
  private static final int STEPS = 64;

  /** A new, open device to check. Called once or more per test; the kit closes what it opens. */
  protected abstract Device openDeviceUnderTest();

  /**
   * The reference: a single-threaded emulator of the loihi spec with the device's serial. A
   * provider whose chips deviate from nominal overrides this with an emulator of its profile.
   */
  protected Device openReference(DeviceInfo underTest) {
    return new EmulatorDevice(ChipSpec.loihi(), underTest.serial() == null ? "0" : underTest.serial(), 1);
  }

  /** The images the kit runs. */
  private static List<RandomNetworks.Case> cases() {
    List<RandomNetworks.Case> list = new ArrayList<>();
    for (long seed : SEEDS) {
      list.add(RandomNetworks.generate(seed, 6, 40, STEPS));
    }
    return list;
  }

  /** Runs {@code body} with a device under test and its reference, closing both. */
  private void withBoth(DeviceBody body) {
    try (Device dut = openDeviceUnderTest()) {
      assertNotNull(dut, "openDeviceUnderTest() returned null");
      try (Device ref = openReference(dut.info())) {
        body.accept(dut, ref);
      }
    }
  }

  private interface DeviceBody {
    void accept(Device dut, Device ref);
  }

  private static List<Probe> allProbes(RandomNetworks.Case c) {
    List<Probe> probes = new ArrayList<>();
    for (String p : c.populations()) {
      for (ProbeKind k : ProbeKind.values()) {
        probes.add(Probe.of(k, p));
      }
    }
    return probes;
  }

  private static void loadAndProbe(Device d, RandomNetworks.Case c) {
    d.load(c.image());
    for (Probe p : allProbes(c)) {
      d.attach(p);
    }
  }

  /** Requires equal results: steps, first step, every port's events, every probe's trace. */
  protected static void assertSameResult(RunResult expected, RunResult actual, String what) {
    assertEquals(expected.steps(), actual.steps(), what + ": steps");
    assertEquals(expected.firstStep(), actual.firstStep(), what + ": first step");
    assertEquals(expected.outputs().keySet(), actual.outputs().keySet(), what + ": output ports");
    for (Map.Entry<String, RunResult.SpikeEvents> e : expected.outputs().entrySet()) {
      RunResult.SpikeEvents x = e.getValue();
      RunResult.SpikeEvents y = actual.output(e.getKey());
      String port = what + ": output " + e.getKey();
      assertEquals(x.width(), y.width(), port + " width");
      assertArrayEquals(x.steps(), y.steps(), port + " steps");
      assertArrayEquals(x.indices(), y.indices(), port + " indices");
      assertArrayEquals(x.values(), y.values(), port + " values");
    }
    assertEquals(expected.traces().keySet(), actual.traces().keySet(), what + ": probes");
    for (Probe p : expected.traces().keySet()) {
      assertEquals(expected.trace(p).width(), actual.trace(p).width(), what + ": width of " + p);
      assertArrayEquals(expected.trace(p).values(), actual.trace(p).values(), what + ": " + p);
    }
  }

  private static void assertSameReads(Device ref, Device dut, RandomNetworks.Case c, String what) {
    for (Probe p : allProbes(c)) {
      assertArrayEquals(ref.read(p), dut.read(p), what + ": read " + p);
    }
  }

  /** The part {@code [from, from + steps)} of a stimulus, re-based to step 0. */
  protected static Stimulus slice(Stimulus s, int from, int steps) {
    Stimulus.Builder b = Stimulus.builder(steps);
    for (Stimulus.PortEvents e : s.events().values()) {
      for (int i = 0; i < e.steps().length; i++) {
        if (e.steps()[i] >= from && e.steps()[i] < from + steps) {
          b.payload(e.steps()[i] - from, e.port(), e.indices()[i], e.payloads()[i]);
        }
      }
    }
    for (Stimulus.BiasChange c : s.biasChanges()) {
      if (c.step() >= from && c.step() < from + steps) {
        b.bias(c.step() - from, c.population(), c.biasMant());
      }
    }
    return b.build();
  }

  @Test
  public void infoNamesTheDevice() {
    try (Device dut = openDeviceUnderTest()) {
      DeviceInfo info = dut.info();
      assertNotNull(info.uri(), "uri");
      assertFalse(info.provider() == null || info.provider().isEmpty(), "provider");
      assertTrue(info.chips() >= 1, "chips");
      assertEquals(0, dut.time(), "a fresh device is at step 0");
    }
  }

  @Test
  public void seededImagesRunBitIdenticallyToTheEmulator() {
    withBoth((dut, ref) -> {
      for (RandomNetworks.Case c : cases()) {
        loadAndProbe(ref, c);
        loadAndProbe(dut, c);
        String what = "seed " + c.seed();
        RunResult expected = ref.run(c.stimulus());
        assertTrue(expected.output("out").count() > 0 || c.image().getCoresCount() == 0,
            what + ": the reference network is active");
        assertSameResult(expected, dut.run(c.stimulus()), what);
        assertEquals(ref.time(), dut.time(), what + ": time");
        assertSameReads(ref, dut, c, what);
      }
    });
  }

  @Test
  public void stateCarriesOverSoChunkedRunsEqualOneRun() {
    withBoth((dut, ref) -> {
      for (RandomNetworks.Case c : cases()) {
        loadAndProbe(ref, c);
        loadAndProbe(dut, c);
        String what = "seed " + c.seed();
        ref.run(c.stimulus());
        int[] cuts = {0, 1, 8, 9, 30, STEPS};
        for (int k = 0; k + 1 < cuts.length; k++) {
          Stimulus part = slice(c.stimulus(), cuts[k], cuts[k + 1] - cuts[k]);
          RunResult r = dut.run(part);
          assertEquals(cuts[k], r.firstStep(), what + ": chunk starts where the last ended");
          assertEquals(cuts[k + 1], dut.time(), what + ": time after chunk");
        }
        assertSameReads(ref, dut, c, what + " after chunks");
        // A second, continuing run: state carried over on both sides.
        Stimulus more = Stimulus.idle(10);
        assertSameResult(ref.run(more), dut.run(more), what + " continued");
      }
    });
  }

  @Test
  public void resetReproducesTheFirstRunExactly() {
    withBoth((dut, ref) -> {
      for (RandomNetworks.Case c : cases()) {
        loadAndProbe(dut, c);
        String what = "seed " + c.seed();
        RunResult first = dut.run(c.stimulus());
        dut.run(Stimulus.idle(5));
        dut.reset();
        assertEquals(0, dut.time(), what + ": time after reset");
        // Bias changes of the first run are forgotten: the replay restates them itself.
        assertSameResult(first, dut.run(c.stimulus()), what + " after reset");
      }
    });
  }

  @Test
  public void biasOverridesAreStickyAcrossRunsUntilReset() {
    withBoth((dut, ref) -> {
      RandomNetworks.Case c = cases().get(0);
      String pop = c.populations().get(0);
      int n = ref.read(loaded(ref, c, Probe.of(ProbeKind.V, pop))).length;
      loaded(dut, c, Probe.of(ProbeKind.V, pop));
      int[] mant = new int[n];
      for (int i = 0; i < n; i++) {
        mant[i] = 50 * (i % 7) - 100;
      }
      Stimulus set = Stimulus.builder(6).bias(2, pop, mant).build();
      assertSameResult(ref.run(set), dut.run(set), "bias set");
      assertSameResult(ref.run(Stimulus.idle(12)), dut.run(Stimulus.idle(12)), "bias held");
      ref.reset();
      dut.reset();
      assertSameResult(ref.run(Stimulus.idle(12)), dut.run(Stimulus.idle(12)), "bias after reset");
    });
  }

  private static Probe loaded(Device d, RandomNetworks.Case c, Probe probe) {
    d.load(c.image());
    d.attach(probe);
    return probe;
  }

  @Test
  public void loadDetachesProbesAndDetachAllStopsRecording() {
    withBoth((dut, ref) -> {
      RandomNetworks.Case c = cases().get(1);
      loadAndProbe(dut, c);
      dut.detachAll();
      assertTrue(dut.run(Stimulus.idle(3)).traces().isEmpty(), "no probes after detachAll");
      loadAndProbe(dut, c);
      dut.load(c.image());
      assertTrue(dut.run(Stimulus.idle(3)).traces().isEmpty(), "load detaches probes");
      assertEquals(3, dut.time(), "load starts at step 0");
    });
  }

  @Test
  public void anInvalidImageIsRefusedAndThePreviousOneKept() {
    withBoth((dut, ref) -> {
      RandomNetworks.Case c = cases().get(2);
      loadAndProbe(ref, c);
      loadAndProbe(dut, c);
      Stimulus head = slice(c.stimulus(), 0, 20);
      assertSameResult(ref.run(head), dut.run(head), "before the bad image");
      ChipImage good = c.image();
      ChipImage bad = good.toBuilder().setCores(0, good.getCores(0).toBuilder()
          .setDecayProfiles(0, good.getCores(0).getDecayProfiles(0).toBuilder().setDu(4096)))
          .build();
      assertThrows(QuenchException.class, () -> dut.load(bad), "du beyond 12 bits is refused");
      ChipImage noSpec = good.toBuilder()
          .setHeader(good.getHeader().toBuilder().setSpecHash("0000")).build();
      assertThrows(QuenchException.class, () -> dut.load(noSpec), "a foreign spec is refused");
      assertEquals(20, dut.time(), "the refused loads changed nothing");
      Stimulus tail = slice(c.stimulus(), 20, STEPS - 20);
      assertSameResult(ref.run(tail), dut.run(tail), "after the refused images");
      // The SPI lets a device refuse a bad probe when attached (the emulator) or at the next run
      // (a remote device checks on the board); either way before any step runs.
      assertThrows(QuenchException.class, () -> {
        dut.attach(Probe.of(ProbeKind.V, "no-such-pop"));
        dut.run(Stimulus.idle(1));
      }, "an unknown population is refused at attach or at the next run");
      assertEquals(STEPS, dut.time(), "the refused probe ran no step");
      dut.detachAll();
      ref.detachAll();
      for (Probe p : allProbes(c)) {
        dut.attach(p);
        ref.attach(p);
      }
      assertThrows(QuenchException.class,
          () -> dut.run(Stimulus.builder(2).spike(0, "no-such-port", 0).build()),
          "an unknown port is refused");
      ref.reset();
      dut.reset();
      assertSameResult(ref.run(c.stimulus()), dut.run(c.stimulus()), "still usable after errors");
    });
  }
}
