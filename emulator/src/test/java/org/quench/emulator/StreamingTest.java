package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.quench.hal.Probe;
import org.quench.hal.ProbeKind;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;

/** State carries across runs: chunks equal one long run; reset() starts over exactly. */
class StreamingTest {
  /** The part of {@code s} in steps [from, to), re-based to step 0. */
  static Stimulus slice(Stimulus s, int from, int to) {
    Stimulus.Builder b = Stimulus.builder(to - from);
    for (Map.Entry<String, Stimulus.PortEvents> e : s.events().entrySet()) {
      Stimulus.PortEvents pe = e.getValue();
      for (int i = 0; i < pe.steps().length; i++) {
        if (pe.steps()[i] >= from && pe.steps()[i] < to) {
          b.payload(pe.steps()[i] - from, e.getKey(), pe.indices()[i], pe.payloads()[i]);
        }
      }
    }
    for (Stimulus.BiasChange c : s.biasChanges()) {
      if (c.step() >= from && c.step() < to) {
        b.bias(c.step() - from, c.population(), c.biasMant());
      }
    }
    return b.build();
  }

  private static int[] concat(int[] a, int[] b) {
    int[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void hundredStepsEqualFortyThenSixty() {
    for (long seed = 500; seed < 520; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 4, 16, 100);
      try (EmulatorDevice dev = ImageFixture.device(2)) {
        dev.load(c.image());
        Probe v = Probe.of(ProbeKind.V, c.populations().get(0));
        Probe u = Probe.of(ProbeKind.U, c.populations().get(0));
        dev.attach(v);
        dev.attach(u);
        RunResult whole = dev.run(c.stimulus());
        assertEquals(100, dev.time());
        dev.reset();
        assertEquals(0, dev.time());
        RunResult first = dev.run(slice(c.stimulus(), 0, 40));
        RunResult second = dev.run(slice(c.stimulus(), 40, 100));
        assertEquals(40, second.firstStep());
        assertArrayEquals(whole.trace(v).values(), concat(first.trace(v).values(), second.trace(v).values()),
            "seed " + seed);
        assertArrayEquals(whole.trace(u).values(), concat(first.trace(u).values(), second.trace(u).values()),
            "seed " + seed);
        int[][] dense = whole.output("out").dense(100);
        int[][] a = first.output("out").dense(40);
        int[][] b = second.output("out").dense(60);
        for (int k = 0; k < 100; k++) {
          assertArrayEquals(dense[k], k < 40 ? a[k] : b[k - 40], "seed " + seed + " step " + k);
        }
        dev.reset();
        RunResult again = dev.run(c.stimulus());
        assertArrayEquals(whole.trace(v).values(), again.trace(v).values(), "reset reproduces, seed " + seed);
        assertArrayEquals(whole.output("out").steps(), again.output("out").steps());
      }
    }
  }

  @Test
  void readReturnsTheStateAfterTheLastStep() {
    RandomNetworks.Case c = RandomNetworks.generate(3, 3, 10, 25);
    try (EmulatorDevice dev = ImageFixture.device(1)) {
      dev.load(c.image());
      String pop = c.populations().get(0);
      Probe v = Probe.of(ProbeKind.V, pop);
      Probe s = Probe.of(ProbeKind.SPIKES, pop);
      dev.attach(v);
      dev.attach(s);
      RunResult r = dev.run(c.stimulus());
      int last = c.stimulus().steps() - 1;
      int[] now = dev.read(v);
      int[] spikes = dev.read(s);
      for (int i = 0; i < now.length; i++) {
        assertEquals(r.trace(v).at(last, i), now[i]);
        assertEquals(r.trace(s).at(last, i), spikes[i]);
      }
    }
  }
}
