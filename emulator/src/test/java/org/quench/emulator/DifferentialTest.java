package org.quench.emulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.List;
import org.junit.jupiter.api.Test;
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
    for (long seed = 1; seed <= CASES; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 4, 12, 40);
      // Thread counts are covered by ThreadDeterminismTest; a few here keep the pairing honest.
      compare(c, seed % 20 == 0 ? 2 : 1);
    }
  }

  @Test
  void emulatorMatchesReferenceOnLargerCores() {
    for (long seed = 1000; seed < 1010; seed++) {
      RandomNetworks.Case c = RandomNetworks.generate(seed, 3, 300, 30);
      compare(c, 2);
    }
  }

  static void compare(RandomNetworks.Case c, int threads) {
    ReferenceStepper ref = new ReferenceStepper(c.image());
    ReferenceStepper.Trace expected = ref.run(c.stimulus());
    try (EmulatorDevice dev = ImageFixture.device(threads)) {
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
        for (int k = 0; k < steps; k++) {
          for (int i = 0; i < u.width(); i++) {
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
      }
    }
  }
}
