package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.quench.hal.RunResult;
import org.quench.hal.Stimulus;
import org.quench.hal.proto.ChipImage;
import org.quench.hal.proto.Core;
import org.quench.hal.proto.OutputPort;

/**
 * Output ports fed by several cores: events come back in (step, index) order however the image
 * lists the sources, and a port whose sources overlap reports every spike of each, across runs
 * that continue one another.
 */
class OutputPortOrderTest {
  private static final int N = 6;

  private static Core.Builder core(int id, int biasStep) {
    Core.Builder c = ImageFixture.lifCore(0, id, N, 0, 0, 10, 0, 6);
    for (int i = 0; i < N; i++) {
      c.setBiasMant(i, 40 + biasStep * i); // a different rate per neuron
    }
    return c;
  }

  private static ChipImage image() {
    return ImageFixture.image(1)
        .addCores(core(0, 23))
        .addCores(core(1, 37))
        .addSymbols(ImageFixture.symbol("p0", 0, 0, N))
        .addSymbols(ImageFixture.symbol("p1", 0, 1, N))
        .addOutputs(ImageFixture.output("only0", 0, 0, N))
        .addOutputs(ImageFixture.output("only1", 0, 1, N))
        // Disjoint indices, listed with the higher offset first.
        .addOutputs(OutputPort.newBuilder().setName("reversed").setWidth(2 * N)
            .addSources(ImageFixture.range(0, 1, 0, N, N))
            .addSources(ImageFixture.range(0, 0, 0, N, 0)))
        // Both cores onto the same indices (the image format allows it).
        .addOutputs(OutputPort.newBuilder().setName("shared").setWidth(N)
            .addSources(ImageFixture.range(0, 1, 0, N, 0))
            .addSources(ImageFixture.range(0, 0, 0, N, 0)))
        .build();
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2, 3})
  void portsOfSeveralCoresComeBackInStepThenIndexOrder(int threads) {
    try (EmulatorDevice d = ImageFixture.device(threads)) {
      d.load(image());
      long spikes = 0;
      for (int run = 0; run < 3; run++) {
        RunResult r = d.run(Stimulus.idle(40 + 7 * run));
        RunResult.SpikeEvents a = r.output("only0");
        RunResult.SpikeEvents b = r.output("only1");
        spikes += a.count() + b.count();
        assertEquals(expected(a, b, N, r.steps()), events(r.output("reversed")), "reversed, run " + run);
        assertEquals(expected(a, b, 0, r.steps()), events(r.output("shared")), "shared, run " + run);
        assertSorted(r.output("shared"));
        for (int v : r.output("shared").values()) {
          assertEquals(1, v, "a LIF neuron's spike value");
        }
      }
      assertTrue(spikes > 100, "the fixture must spike: " + spikes);
    }
  }

  /** Per step: a's events, then b's with indices shifted, sorted by index when they overlap. */
  private static List<String> expected(RunResult.SpikeEvents a, RunResult.SpikeEvents b, int shift, int steps) {
    List<String> out = new ArrayList<>();
    for (int k = 0; k < steps; k++) {
      List<int[]> step = new ArrayList<>();
      for (int e = 0; e < a.count(); e++) {
        if (a.steps()[e] == k) {
          step.add(new int[] {a.indices()[e], a.values()[e]});
        }
      }
      for (int e = 0; e < b.count(); e++) {
        if (b.steps()[e] == k) {
          step.add(new int[] {b.indices()[e] + shift, b.values()[e]});
        }
      }
      step.sort((x, y) -> Integer.compare(x[0], y[0]));
      for (int[] ev : step) {
        out.add(k + ":" + ev[0] + "=" + ev[1]);
      }
    }
    return out;
  }

  private static List<String> events(RunResult.SpikeEvents e) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < e.count(); i++) {
      out.add(e.steps()[i] + ":" + e.indices()[i] + "=" + e.values()[i]);
    }
    return out;
  }

  private static void assertSorted(RunResult.SpikeEvents e) {
    for (int i = 1; i < e.count(); i++) {
      long prev = ((long) e.steps()[i - 1] << 32) | e.indices()[i - 1];
      long cur = ((long) e.steps()[i] << 32) | e.indices()[i];
      assertTrue(prev <= cur, "event " + i + " out of order");
    }
  }
}
